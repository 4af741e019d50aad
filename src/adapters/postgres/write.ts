import type { CommitResult, EnqueueResult, NewInvocation, TurnWrite } from '../../ports/store.js';
import { describeInvocation, describeTurn, encodeEach, type Encoded } from '../../ports/encode-items.js';
import { checkedTurnJson, toCommitResults, type TurnJson, type TurnOutcomeJson } from './commit.js';
import { checkedItemJson, toEnqueueResults, type EnqueuedJson, type ItemJson } from './enqueue.js';
import type { QueryName } from './sql/index.js';

/** What `loom_write_batch` (migration 004) returns: the output of each batch function it called. */
export interface WrittenJson {
  e: EnqueuedJson[];
  c: TurnOutcomeJson[];
}

/** An item with its row for the batch function. */
interface Item<T, J> {
  item: T;
  json: J;
}

/** A write's items, each encoded on its own: one that cannot be sent fails alone and stays out of the statement. */
export interface EncodedWrite {
  enqueues: Encoded<Item<NewInvocation, ItemJson>>;
  turns: Encoded<Item<TurnWrite, TurnJson>>;
}

export function encodeWrite(enqueues: readonly NewInvocation[], turns: readonly TurnWrite[]): EncodedWrite {
  return {
    enqueues: encodeEach(enqueues, (item) => ({ item, json: checkedItemJson(item) }), describeInvocation),
    turns: encodeEach(turns, (item) => ({ item, json: checkedTurnJson(item) }), describeTurn),
  };
}

/** One JSON text for the whole batch: the rows hold only strings, numbers and null (values are JSON text already), so this cannot fail. */
const batchJson = (items: readonly Item<unknown, unknown>[]): string => JSON.stringify(items.map((i) => i.json));

/**
 * The one statement that writes the encoded items: `loom_enqueue_batch`,
 * `loom_commit_batch`, or both in `loom_write_batch` (one transaction, the
 * enqueues first), with its arguments and how to read its output.
 */
export function writeStatement(w: EncodedWrite): {
  name: QueryName;
  args: string[];
  decode(out: string): { enqueued: EnqueueResult[]; committed: CommitResult[] };
} {
  const enqueues = w.enqueues.ok;
  const turns = w.turns.ok;
  const items = enqueues.map((e) => e.item);
  const writes = turns.map((t) => t.item);
  if (turns.length === 0) {
    return { name: 'enqueueBatch', args: [batchJson(enqueues)], decode: (out) => ({ enqueued: toEnqueueResults(JSON.parse(out) as EnqueuedJson[], items), committed: [] }) };
  }
  if (enqueues.length === 0) {
    return { name: 'commitBatch', args: [batchJson(turns)], decode: (out) => ({ enqueued: [], committed: toCommitResults(JSON.parse(out) as TurnOutcomeJson[], writes) }) };
  }
  return {
    name: 'writeBatch',
    args: [batchJson(enqueues), batchJson(turns)],
    decode: (out) => {
      const both = JSON.parse(out) as WrittenJson;
      return { enqueued: toEnqueueResults(both.e, items), committed: toCommitResults(both.c, writes) };
    },
  };
}
