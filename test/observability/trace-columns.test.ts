import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { InvocationRecord } from '../../src/ports/store.js';
import { K, TraceColumns } from '../../src/observability/trace-columns.js';
import { decodeGroup, encodeTraceEvents } from '../../src/observability/trace-groups.js';

const rec = (id: string, idempotencyKey?: string) =>
  ({ id, actorType: 'Shop', actorId: 'a "quoted"\nid', method: 'buy', idempotencyKey, partition: 3, attempt: 1, args: ['PAYLOAD'] }) as unknown as InvocationRecord;

it('a batch reads back the same from its compact stored form as from its events, and holds no payload', () => {
  const t1 = 'a'.repeat(32);
  const t2 = 'b'.repeat(32);
  const cols = new TraceColumns('worker-1');
  const r1 = rec('inv-1', 'key-1');
  const r2 = rec('inv-2');
  cols.add(K.Accepted, 1_700_000_000_000, t1, undefined, r1, 0, 0, 0, -1, undefined, undefined);
  cols.add(K.Deduplicated, 1_700_000_000_001, t1, undefined, r1, 0, 0, 0, -1, undefined, undefined);
  cols.add(K.Started, 1_700_000_000_002, t1, '1'.repeat(16), r1, 1, 0, 7, -1, undefined, undefined);
  cols.add(K.Step, 1_700_000_000_003, t1, '1'.repeat(16), r1, 1, 2, 0, -1, 'step', 'näme "x"');
  cols.add(K.Completed, 1_700_000_000_004, t1, '1'.repeat(16), r1, 1, 0, 7, 12, undefined, undefined);
  cols.add(K.Failed, 1_700_000_000_004, t2, '2'.repeat(16), r2, 0, 0, 7, -1, 'BOOM', undefined);
  cols.add(K.LeaseAcquired, 1_700_000_000_005, t2, undefined, undefined, 0, 3, 7, -1, undefined, undefined);
  cols.add(K.LeaseLost, 1_700_000_000_006, t2, undefined, undefined, 0, 3, 7, -1, 'LEASE_EXPIRED', undefined);
  cols.add(K.StaleWrite, 1_700_000_000_007, t2, undefined, undefined, 2, 3, 7, -1, undefined, 'inv-9');
  const events = cols.events();
  assert.equal(events.length, 9);
  assert.deepEqual(events[1]!.refs.idempotency, { key: 'key-1', original_execution: 'inv-1' });
  assert.deepEqual(events[4]!.refs.state, { actor_type: 'Shop', actor_id: 'a "quoted"\nid', version: 12 });
  assert.equal(events[5]!.error_code, 'BOOM');
  assert.equal(events[0]!.at, new Date(1_700_000_000_000).toISOString());

  const groups = cols.encodedGroups();
  assert.deepEqual(
    groups.map((g) => [g[0], g[1], g[2]]),
    [
      [t1, 'inv-1', 5],
      [t2, 'inv-2', 1],
      [t2, '', 2],
      [t2, 'inv-9', 1],
    ],
  );
  const back = groups.flatMap((g) => decodeGroup(g[3]));
  const order = (xs: typeof events) => [...xs].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  assert.deepEqual(order(back), order(events));
  assert.ok(!groups.some((g) => g[3].includes('PAYLOAD')));
  // The older stored form (from events) still reads back.
  assert.deepEqual(order(encodeTraceEvents(events).flatMap((g) => decodeGroup(g[3]))), order(events));

  // A reused batch starts empty.
  cols.reset('worker-2');
  assert.equal(cols.events().length, 0);
  cols.add(K.LeaseAcquired, 1_700_000_000_008, t2, undefined, undefined, 0, 1, 1, -1, undefined, undefined);
  assert.equal(cols.events()[0]!.worker, 'worker-2');
});

it('events of one invocation under two trace ids stay in two groups', () => {
  const cols = new TraceColumns(undefined);
  const r = rec('inv-1');
  cols.add(K.Started, 1_700_000_000_000, 'a'.repeat(32), '1'.repeat(16), r, 0, 0, 1, -1, undefined, undefined);
  cols.add(K.Completed, 1_700_000_000_001, 'c'.repeat(32), '1'.repeat(16), r, 0, 0, 1, -1, undefined, undefined);
  cols.add(K.Completed, 1_700_000_000_002, 'a'.repeat(32), '1'.repeat(16), r, 0, 0, 1, -1, undefined, undefined);
  assert.deepEqual(
    cols.encodedGroups().map((g) => [g[0], g[1], g[2]]),
    [
      ['a'.repeat(32), 'inv-1', 2],
      ['c'.repeat(32), 'inv-1', 1],
    ],
  );
});
