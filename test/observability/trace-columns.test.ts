import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { InvocationRecord } from '../../src/ports/store.js';
import { K, TraceColumns } from '../../src/observability/trace-columns.js';
import { decodeGroup, encodeTraceEvents } from '../../src/observability/trace-groups.js';
import { rootTraceId } from '../../src/observability/scope.js';
import { PackedBatch } from '../../src/observability/trace-bytes.js';

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

  const groups = cols.encoded().groups();
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
    cols.encoded().groups().map((g) => [g[0], g[1], g[2]]),
    [
      ['a'.repeat(32), 'inv-1', 2],
      ['c'.repeat(32), 'inv-1', 1],
    ],
  );
});

it('writes each group as the bytes JSON.stringify would, whatever the strings hold, and packs them line by line', () => {
  const cols = new TraceColumns('wörker "1"');
  const odd = ['plain', 'a "quoted"\nid', 'ünïcødé ✓', 'emoji 😀', 'lone \ud800 half', 'tab\tand\\slash', '\u007f del'];
  odd.forEach((actorId, n) => {
    const r = { id: `inv-${n}-${actorId}`, actorType: 'Shop', actorId, method: 'buy', idempotencyKey: n % 2 ? actorId : undefined, partition: n, attempt: 0 } as unknown as InvocationRecord;
    cols.add(K.Step, 1_700_000_000_000 + n, 'a'.repeat(32), '1'.repeat(16), r, n, -n, 2 ** 40, -1, 'step', actorId);
    cols.add(K.Completed, 1_700_000_000_100 + n, 'a'.repeat(32), undefined, r, n, 0, 7, 12, undefined, undefined);
  });
  const batch = cols.encoded();
  const groups = batch.groups();
  assert.equal(groups.length, odd.length);
  assert.equal(batch.count, odd.length * 2);
  for (const g of groups) assert.equal(JSON.stringify(JSON.parse(g[3])), g[3], 'byte for byte what JSON.stringify writes');
  const lines = Buffer.from(batch.packed).toString('utf8').split('\n');
  assert.equal(lines.length, 1 + 3 * odd.length);
  groups.forEach((g, i) => {
    assert.equal(lines[1 + 3 * i], g[0]);
    assert.equal(JSON.parse(lines[2 + 3 * i]!), g[1]);
    assert.equal(lines[3 + 3 * i], g[3]);
  });
  assert.deepEqual(
    groups.flatMap((g) => decodeGroup(g[3])).map((e) => [e.refs.invocation?.id, e.refs.journal?.name ?? null, e.worker]),
    odd.flatMap((a, n) => [[`inv-${n}-${a}`, a, 'wörker "1"'], [`inv-${n}-${a}`, null, 'wörker "1"']]),
  );
});

it('a root’s events (trace recorded as empty) get the trace id made from the invocation id, in the bytes and in the groups', () => {
  const cols = new TraceColumns(undefined);
  const uuid = '0af76519-16cd-43dd-8448-eb211c80319c';
  for (const id of [uuid, 'not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
    cols.add(K.Accepted, 1_700_000_000_000, '', undefined, rec(id), 0, 0, 0, -1, undefined, undefined);
    cols.add(K.Completed, 1_700_000_000_001, '', '1'.repeat(16), rec(id), 0, 0, 1, 3, undefined, undefined);
  }
  const batch = cols.encoded();
  const groups = batch.groups();
  assert.deepEqual(
    groups.map((g) => [g[0], g[1], g[2]]),
    [
      ['0af7651916cd43dd8448eb211c80319c', uuid, 2],
      [rootTraceId('not-a-uuid'), 'not-a-uuid', 2],
      [rootTraceId('00000000-0000-0000-0000-000000000000'), '00000000-0000-0000-0000-000000000000', 2],
    ],
  );
  assert.notEqual(groups[2]![0], '0'.repeat(32), 'never the all-zero trace id');
  for (const g of groups) {
    assert.match(g[0], /^[0-9a-f]{32}$/);
    for (const e of decodeGroup(g[3])) assert.equal(e.trace_id, g[0]);
  }
  assert.equal(batch.size, groups.length);
  groups.forEach((g, i) => {
    assert.equal(batch.traceId(i), g[0]);
    assert.equal(batch.invocationId(i), g[1]);
    assert.equal(batch.recordedTrace(i), '', 'recorded as a root');
  });
  assert.deepEqual(cols.events().map((e) => e.trace_id), groups.flatMap((g) => [g[0], g[0]]));
});

it('batches a sink fell behind on are written as one: bytes, groups and recorded trace ids kept in order', () => {
  const one = new TraceColumns('w');
  const two = new TraceColumns('w');
  const uuid = '0af76519-16cd-43dd-8448-eb211c80319c';
  one.add(K.Accepted, 1_700_000_000_000, '', undefined, rec(uuid), 0, 0, 0, -1, undefined, undefined);
  two.add(K.Accepted, 1_700_000_000_001, 'b'.repeat(32), undefined, rec('inv-2'), 0, 0, 0, -1, undefined, undefined);
  two.add(K.Completed, 1_700_000_000_002, 'b'.repeat(32), '1'.repeat(16), rec('inv-2'), 0, 0, 1, 4, undefined, undefined);
  const joined = PackedBatch.join([one.encoded(), two.encoded()]);
  assert.equal(joined.count, 3);
  assert.equal(joined.size, 2);
  assert.deepEqual([joined.recordedTrace(0), joined.recordedTrace(1)], ['', 'b'.repeat(32)]);
  assert.deepEqual(
    joined.groups().map((g) => [g[0], g[1], g[2]]),
    [
      ['0af7651916cd43dd8448eb211c80319c', uuid, 1],
      ['b'.repeat(32), 'inv-2', 2],
    ],
  );
  assert.deepEqual(joined.groups().map((g) => g[3]), [...one.encoded().groups(), ...two.encoded().groups()].map((g) => g[3]));
  assert.equal(Buffer.from(joined.packed).toString('utf8').split('\n').length, 1 + 3 * 2);
});

it('writes numbers and times exactly: times that share their seconds, cross them, have leading zeros in their milliseconds, a fraction or a sign', () => {
  const cols = new TraceColumns(undefined);
  const r = rec('inv-n');
  const times = [-500, 1_700_000_000_000, 1_700_000_000_007, 1_700_000_000_070, 1_700_000_000_999, 1_700_000_001_000, 1_700_000_001_005, 1_700_000_001_005.5, 1_700_000_000_500, 999, 0, 2 ** 53 + 2];
  const nums = [0, 9, 10, 42, 99, 100, -1, -99, 2 ** 40, 0.5, 7, 1];
  times.forEach((at, n) => cols.add(K.Completed, at, 'a'.repeat(32), undefined, r, nums[n]!, nums[(n + 1) % nums.length]!, nums[(n + 2) % nums.length]!, nums[(n + 3) % nums.length]!, undefined, undefined));
  const [g] = cols.encoded().groups();
  const events = (JSON.parse(g![3]) as { e: number[][] }).e;
  assert.deepEqual(
    events.map((e) => e.slice(1, 2).concat(e.slice(3, 7))),
    times.map((at, n) => [at, ...[0, 1, 2, 3].map((k) => nums[(n + k) % nums.length]!)]),
  );
  assert.equal(JSON.stringify(JSON.parse(g![3])), g![3]);
});
