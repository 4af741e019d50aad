import { createHash } from 'node:crypto';
import { CallCycleError } from './errors.js';
import type { ActorRegistry } from './registry.js';
import type { InvocationRecord } from '../ports/store.js';

/**
 * The actors whose invocations wait, each on the next, for the invocation that
 * carries the chain: `[actorType, actorId]` pairs, the outermost caller first.
 * Made by `this.call` from a handler and kept in the callee's stored meta, so it
 * travels to whichever worker runs the callee. A `send` starts no chain: its
 * sender does not wait.
 */
export type CallChain = [actorType: string, actorId: string][];

/** Callers kept in a chain: the nearest ones. A cycle through more actors than this is not seen, and waits. */
export const MAX_CALL_CHAIN = 32;
/** An actor id longer than this is kept in the chain as a digest, so that a chain stays small whatever the ids. */
const MAX_ID_CHARS = 200;
/** Entries a cycle error shows before it elides the middle. */
const SHOWN = 8;

/**
 * The chain a call from `caller`'s handler to `actorType/actorId` carries, or a
 * {@link CallCycleError} when the callee is already in it and can never run the
 * call: an actor of a type with one invocation at a time (the default) is held
 * by its own invocation that waits, so the call would wait for ever.
 *
 * Types with `concurrency` above 1 are exempt: a suspended invocation gives its
 * slot back, so a re-entrant call runs in another slot. Shared (read-only)
 * handlers cannot be called from a handler at all (`prepare` says so).
 */
export function callChainFor(caller: InvocationRecord, actorType: string, actorId: string, method: string, registry: ActorRegistry): CallChain {
  const chain: CallChain = [...(caller.meta?.callChain ?? []), [caller.actorType, chainId(caller.actorId)]];
  if (chain.length > MAX_CALL_CHAIN) chain.splice(0, chain.length - MAX_CALL_CHAIN);
  const reentrant = registry.has(actorType) && registry.get(actorType).policy !== undefined;
  if (!reentrant) {
    const id = chainId(actorId);
    const at = chain.findIndex(([t, i]) => t === actorType && i === id);
    if (at >= 0) throw cycleError(chain.slice(at), actorType, actorId, method);
  }
  return chain;
}

/** The id as kept in a chain: itself, or a digest of a very long one. */
function chainId(actorId: string): string {
  if (actorId.length <= MAX_ID_CHARS) return actorId;
  return `sha256:${createHash('sha256').update(actorId).digest('hex')}`;
}

function cycleError(cycle: CallChain, actorType: string, actorId: string, method: string): CallCycleError {
  const names = cycle.map(([t, i]) => label(t, i));
  const shown = names.length <= SHOWN ? names : [...names.slice(0, 2), `… ${names.length - SHOWN + 2} more …`, ...names.slice(-(SHOWN - 2))];
  const path = [...shown, label(actorType, actorId)].join(' → ');
  const self = cycle.length === 1;
  const callee = label(actorType, actorId);
  return new CallCycleError(
    `${self ? `${callee} calls itself` : `the call to ${callee}.${clip(method)} closes a call cycle`} (${path}): ` +
      `${callee} is waiting for this call to finish and runs one invocation at a time, so the call could never run. ` +
      `Use this.send(...) instead (fire-and-forget: nothing waits), or give ${clip(actorType)} config.concurrency above 1 so that a re-entrant call gets its own slot`,
    cycle.map(([t, i]) => `${t}/${i}`),
  );
}

function label(actorType: string, actorId: string): string {
  return `${clip(actorType)}/${clip(actorId)}`;
}

/** Echoed input is capped: a message never grows with a hostile id. */
function clip(s: string): string {
  return s.length <= 60 ? s : `${s.slice(0, 57)}...`;
}
