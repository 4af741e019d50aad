import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ActorRuntime } from '../runtime/actor-runtime.js';
import { ConfigError } from '../core/errors.js';

/**
 * Loads a worker module. It must default-export an ActorRuntime (not yet
 * started) or a function returning one (sync or async); actors are registered
 * on it by the module.
 */
export async function loadRuntime(modulePath: string): Promise<ActorRuntime> {
  const url = pathToFileURL(resolve(modulePath)).href;
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (cause) {
    throw new ConfigError(`could not load the worker module ${modulePath}: ${(cause as Error).message}`, { cause });
  }
  let value = mod.default;
  if (typeof value === 'function' && !(value.prototype instanceof ActorRuntime)) value = await (value as () => unknown)();
  if (!(value instanceof ActorRuntime) && !isRuntimeLike(value)) {
    throw new ConfigError(
      `the worker module ${modulePath} must default-export an ActorRuntime or a function returning one ` +
        `(e.g. export default () => new ActorRuntime({ store }).register(MyActor)); it exported ${describe(mod.default)}`,
    );
  }
  return value as ActorRuntime;
}

// A module bundled with its own copy of loom has a different ActorRuntime class.
function isRuntimeLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as ActorRuntime).start === 'function' && typeof (v as ActorRuntime).stop === 'function';
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (no default export)';
  return typeof v === 'function' ? `a function` : typeof v;
}
