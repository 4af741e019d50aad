import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Actor } from '../core/actor.js';
import { ConfigError } from '../core/errors.js';
import type { ActorClass } from '../core/registry.js';

/**
 * Loads the actor classes of a module for `loom worker --config`: its default
 * export (a class, an array of classes, or a function returning either), else
 * every named export that extends Actor.
 */
export async function loadActorClasses(modulePath: string): Promise<ActorClass[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(`could not load the actors module ${modulePath}: ${(cause as Error).message}`, { cause });
  }
  let found: unknown = mod.default;
  if (typeof found === 'function' && !isActorClass(found)) found = await (found as () => unknown)();
  const list = found === undefined ? Object.values(mod).filter(isActorClass) : Array.isArray(found) ? found : [found];
  const bad = list.filter((c) => !isActorClass(c));
  if (list.length === 0 || bad.length > 0) {
    throw new ConfigError(
      `with --config, ${modulePath} must export actor classes (export default [PaymentProcessor, Shipping], or named exports that extend Actor); ` +
        (list.length === 0 ? 'it exports none' : `it exports ${bad.map((b) => (typeof b === 'object' && b !== null ? b.constructor.name : typeof b)).join(', ')}`),
    );
  }
  return list as ActorClass[];
}

// A module bundled with its own copy of loom has its own Actor class: accept anything class-like with a name.
function isActorClass(v: unknown): boolean {
  return typeof v === 'function' && (v.prototype instanceof Actor || typeof (v.prototype as { checkIdempotency?: unknown } | undefined)?.checkIdempotency === 'function');
}
