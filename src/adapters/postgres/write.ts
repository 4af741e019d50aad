import type { NewInvocation, TurnWrite, WriteResult } from '../../ports/store.js';
import { toCommitResults, type TurnOutcomeJson } from './commit.js';
import { toEnqueueResults, type EnqueuedJson } from './enqueue.js';

/** What `loom_write_batch` (migration 004) returns: the output of each batch function it called. */
export interface WrittenJson {
  e: EnqueuedJson[];
  c: TurnOutcomeJson[];
}

/** Both halves decoded exactly as `enqueue` and `commit` decode them. */
export function toWriteResult(out: WrittenJson, enqueues: readonly NewInvocation[], turns: readonly TurnWrite[]): WriteResult {
  return { enqueued: toEnqueueResults(out.e, enqueues), committed: toCommitResults(out.c, turns) };
}
