/** A parsed secret reference: `vault://<vault>/<name>[/<version>]`, `env://NAME` or `file:///path`. */
export interface SecretReference {
  /** The reference as written. */
  readonly raw: string;
  readonly scheme: 'vault' | 'env' | 'file';
  /** Key Vault name (`vault://` only). */
  readonly vault?: string;
  /** Secret name, environment variable name, or file path. */
  readonly name: string;
  /** Key Vault secret version (`vault://` only); absent means the latest. */
  readonly version?: string;
}

/**
 * Where secret values come from: one provider per scheme. `get` fetches the
 * current value (no caching: the resolver caches) and rejects when it cannot.
 */
export interface SecretProvider {
  readonly scheme: SecretReference['scheme'];
  get(ref: SecretReference): Promise<string>;
  /** Throws when references of this scheme cannot work here (e.g. a missing SDK); called at register. Optional. */
  check?(ref: SecretReference): void;
  /** Releases clients; optional. */
  close?(): Promise<void>;
}

/**
 * What the engine asks before an attempt of an actor type that names secrets:
 * their values by name. Synchronous when every value is cached and fresh.
 */
export interface SecretSource {
  resolve(refs: Readonly<Record<string, string>>): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;
  /** Throws a ConfigError when a reference is malformed or names an unknown scheme. */
  check(refs: Readonly<Record<string, string>>, where: string): void;
}
