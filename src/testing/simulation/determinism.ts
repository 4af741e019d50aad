import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { HandlerScope } from './actors.js';

/** A read of the clock or of randomness by a handler outside the journal. */
export interface Violation {
  what: 'Date.now()' | 'Math.random()';
  handler: HandlerScope;
  /** The first frame of the caller outside Loom: file, line and column. */
  where: string;
}

/** Loom's own source root (src/ or dist/): its reads of the clock are the journaled ones. */
const THIS_FILE = fileURLToPath(import.meta.url);
const LOOM_ROOT = resolve(dirname(THIS_FILE), '..', '..');

/**
 * Installs checks on `Date.now()` and `Math.random()` (the latter made seeded)
 * for as long as a simulation is open: a call made while a handler runs, from
 * code outside Loom, is a violation — on replay it returns another value than
 * the first run saw, so the handler may take another path. `this.now()` and
 * `this.random()` read the journal instead. Returns the function that restores both.
 */
export function watchNondeterminism(scope: AsyncLocalStorage<HandlerScope>, random: () => number, report: (v: Violation) => void): () => void {
  const realRandom = Math.random;
  const fakeNow = Date.now.bind(Date);
  const check = (what: Violation['what']) => {
    const handler = scope.getStore();
    if (!handler) return;
    const where = callerOutsideLoom(new Error().stack ?? '');
    if (where) report({ what, handler, where });
  };
  Date.now = () => {
    check('Date.now()');
    return fakeNow();
  };
  Math.random = () => {
    check('Math.random()');
    return random();
  };
  return () => {
    Math.random = realRandom;
    Date.now = fakeNow;
  };
}

/** The code that called `Date.now()` / `Math.random()`: undefined when it is Loom's own (journaled) read. */
export function callerOutsideLoom(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const raw = m[1]!;
    if (raw.startsWith('node:')) continue;
    const file = raw.startsWith('file://') ? fileURLToPath(raw) : raw;
    if (file === THIS_FILE || file.includes('/node_modules/@sinonjs/')) continue;
    return file.startsWith(LOOM_ROOT + '/') ? undefined : `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/** The first frame of a stack outside Loom and Node: the user's line that asked for something. */
export function userFrame(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m || m[1]!.startsWith('node:')) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(LOOM_ROOT + '/') || file.includes('/node_modules/')) continue;
    return `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
