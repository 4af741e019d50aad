import type { Actor } from './actor.js';
import { toJson } from './envelope.js';
import { InvalidStateError } from './errors.js';
import { capText, echo } from './echo.js';
import { messageOf } from './failure.js';
import type { InvocationRecord } from '../ports/store.js';

/**
 * The JSON of the state a handler leaves, checked at the end of its turn. State
 * that is not a JSON object or array (null, undefined, a number, a function, a
 * class instance) would be committed and break every later call on the actor, so
 * the invocation fails instead, alone, and the committed state stays as it was.
 */
export function stateToJson(actor: Actor<object>, rec: InvocationRecord): string {
  // Built only for an error: this runs at the end of every turn.
  const who = (): string => `${rec.method} of ${capText(rec.actorType, 100)}/${capText(rec.actorId, 100)}`;
  let state: unknown;
  try {
    state = actor.state;
  } catch (cause) {
    throw new InvalidStateError(`reading this.state at the end of ${who()} threw (${messageOf(cause)}); the committed state was left as it was`);
  }
  if (state === null || typeof state !== 'object') {
    throw new InvalidStateError(
      `${who()} set this.state to ${typeof state === 'function' ? 'a function' : echo(state)}; an actor's state must be a plain object (or array). ` +
        `The committed state was left as it was: mutate this.state, or assign a new plain object to it`,
    );
  }
  return toJson(state, () => `the state of ${rec.actorType}/${rec.actorId}`, 'this.state');
}
