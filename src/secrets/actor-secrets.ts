import { bindSecrets, secretRefsOf, type Actor } from '../core/actor.js';
import type { ActorClass } from '../core/registry.js';
import { SecretResolver } from './resolver.js';

let shared: SecretResolver | undefined;

/**
 * Resolves the secrets of an actor constructed by hand (the seed's
 * `new MyActor(context, state, tracer, { secrets })`, or a class with
 * `static secrets`), so that `actor.secrets.<name>` reads them. Actors the
 * runtime runs need no call: it resolves their secrets before each attempt.
 */
export async function resolveActorSecrets(actor: Actor<object>, resolver?: SecretResolver): Promise<void> {
  const cls = actor.constructor as ActorClass;
  const refs = { ...cls.secrets, ...cls.config?.secrets, ...secretRefsOf(actor) };
  const source = resolver ?? (shared ??= new SecretResolver());
  source.check(refs, `${cls.name}.secrets`);
  bindSecrets(actor, await source.resolve(refs));
}
