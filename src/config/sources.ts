/** Where each key of a configuration came from, by dotted path: a file, `env LOOM_…`, `object` or `default`. */
export type Sources = Map<string, string>;

const registry = new WeakMap<object, Sources>();

/** Remembers the sources of a loaded configuration. */
export function rememberSources(config: object, sources: Sources): void {
  registry.set(config, sources);
}

/** The sources `loadConfig` recorded for a configuration (empty for one built another way). */
export function sourcesOf(config: object): Sources {
  return registry.get(config) ?? new Map();
}

/** True for a configuration that `loadConfig` returned (validated, with sources). */
export function isLoaded(config: object): boolean {
  return registry.has(config);
}
