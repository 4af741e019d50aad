import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisStore } from './store.js';
import type { TraceEvent } from '../../ports/trace.js';
import type { InvocationRecord } from '../../ports/store.js';
import { K, TraceColumns } from '../../observability/trace-columns.js';
import { rootTraceId } from '../../observability/scope.js';
import { packGroups } from '../../observability/trace-bytes.js';
import { encodeTraceEvents } from '../../observability/trace-groups.js';
import { dropPrefix, openAdmin, redisUrl } from '../../../test/support/redis.js';
import { backendUnavailable } from '../../../test/support/backend.js';

// The Redis layout of trace events (scripts/traces.ts); what every store must do is in test/observability/traces.test.ts.
const { admin, unreachable } = await openAdmin();
if (unreachable) {
  backendUnavailable('redis trace layout', 'Redis', unreachable, 'LOOM_TEST_REDIS_URL');
} else {
  after(() => admin.quit());
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const ev = (trace: string, inv: string): TraceEvent => ({
    trace_id: trace,
    event_type: 'actor:invocation_started',
    at: new Date(clock++).toISOString(),
    refs: { invocation: { id: inv, attempt: 0 } },
  });
  const invs = (events: TraceEvent[]) => events.map((e) => e.refs.invocation!.id);
  const open = async () => {
    const prefix = `loom-test:${randomUUID()}:`;
    const store = new RedisStore(redisUrl, { prefix, logger: { warn: () => {} } });
    after(async () => {
      await store.close();
      await dropPrefix(admin, prefix);
    });
    await store.init();
    return { traces: store.traces, prefix };
  };
  /** The index lines of every generation (flush lines '\r<id>' and id lines), and the number of generations. */
  const indexLines = async (prefix: string) => {
    const gens = await admin.zrange(`${prefix}tf:gens`, 0, -1);
    const lines: string[] = [];
    for (const g of gens) lines.push(...((await admin.get(`${prefix}tf:lx:${g}`)) ?? '').split('\n').filter((l) => l));
    return { gens: gens.length, lines, fields: lines.filter((l) => !l.startsWith('\r')).length };
  };
  const long = { ttlMs: 3_600_000, maxEvents: 1000 };

  describe('Redis trace events', () => {
    it('finds a root by its trace id through its invocation’s index field, which is the only one it gets', async () => {
      const { traces, prefix } = await open();
      const root = randomUUID();
      const rootTrace = root.replaceAll('-', '');
      const child = randomUUID();
      const cols = new TraceColumns('w');
      const rec = (id: string) => ({ id, actorType: 'A', actorId: 'a', method: 'm', partition: 0, attempt: 0 }) as unknown as InvocationRecord;
      cols.add(K.Accepted, clock++, '', undefined, rec(root), 0, 0, 0, -1, undefined, undefined);
      cols.add(K.Completed, clock++, '', '1'.repeat(16), rec(root), 0, 0, 1, 2, undefined, undefined);
      cols.add(K.Accepted, clock++, rootTrace, '2'.repeat(16), rec(child), 0, 0, 0, -1, undefined, undefined);
      cols.add(K.Accepted, clock++, '', undefined, rec('not-a-uuid'), 0, 0, 0, -1, undefined, undefined);
      await traces.appendEncoded(cols.encoded(), long);
      const byTrace = await traces.readTraces({ traceId: rootTrace });
      assert.deepEqual(invs(byTrace), [root, root, child]);
      assert.ok(byTrace.every((e) => e.trace_id === rootTrace));
      assert.deepEqual(invs(await traces.readTraces({ invocationId: root })), [root, root]);
      // An id that is not a UUID has a hashed trace id, which needs (and gets) a field of its own.
      assert.deepEqual(invs(await traces.readTraces({ traceId: rootTraceId('not-a-uuid') })), ['not-a-uuid']);
      const { lines } = await indexLines(prefix);
      const q = JSON.stringify;
      assert.deepEqual(lines, ['\r4', `i${q(root)}`, `i${q(child)}`, `t${q(rootTrace)}`, `i${q('not-a-uuid')}`, `t${q(rootTraceId('not-a-uuid'))}`]);
    });

    it('drops whole old flushes past the cap, and their index with them: it does not grow', async () => {
      const { traces, prefix } = await open();
      // 300 flushes of 5 invocations, 3 events each: 15 events and 10 index fields a flush.
      for (let f = 0; f < 300; f++) {
        const events: TraceEvent[] = [];
        for (let g = 0; g < 5; g++) for (let e = 0; e < 3; e++) events.push(ev(`t${f}-${g}`, `i${f}-${g}`));
        await traces.appendTraces(events, long);
      }
      const kept = await admin.hlen(`${prefix}tf:data`);
      assert.equal(kept, Math.ceil(1000 / 15), 'flushes whose last event is among the newest 1000');
      const size = await indexLines(prefix);
      // Kept flushes, plus at most an eighth of the cap and one flush of entries for flushes already gone.
      assert.ok(size.fields <= ((1000 + 125 + 15) / 15) * 10, `index fields ${size.fields}`);
      assert.ok(size.gens <= 10, `generations ${size.gens}`);
      assert.deepEqual(await traces.readTraces({ traceId: 't0-0' }), []);
      assert.deepEqual(await traces.readTraces({ invocationId: 'i200-1' }), []);
      assert.deepEqual(invs(await traces.readTraces({ invocationId: 'i299-4' })), ['i299-4', 'i299-4', 'i299-4']);
      assert.equal((await traces.readTraces({ traceId: 't250-2' })).length, 3);
      // A small cap makes a generation per flush or two; the index still follows the data.
      const small = { ttlMs: 3_600_000, maxEvents: 30 };
      for (let f = 0; f < 100; f++) await traces.appendTraces([ev(`s${f}`, `j${f}`), ev(`s${f}`, `j${f}`)], small);
      assert.ok((await admin.hlen(`${prefix}tf:data`)) <= 16);
      assert.ok((await indexLines(prefix)).fields <= 40);
    });

    it('does not read a flush past its TTL, and drops it with the next append', async () => {
      const { traces, prefix } = await open();
      await traces.appendTraces([ev('a', 'x')], { ttlMs: 30, maxEvents: 1000 });
      assert.equal((await traces.readTraces({ traceId: 'a' })).length, 1);
      await new Promise((r) => setTimeout(r, 60));
      assert.deepEqual(await traces.readTraces({ traceId: 'a' }), [], 'expired, though not dropped yet');
      assert.deepEqual(await traces.readTraces({ invocationId: 'x' }), []);
      await traces.appendTraces([ev('b', 'y')], long);
      assert.equal(await admin.hlen(`${prefix}tf:data`), 1);
      assert.equal(await admin.zcard(`${prefix}tf:exp`), 1);
      assert.equal(await admin.zcard(`${prefix}tf:all`), 1);
    });

    it('reads a trace that spans several flushes, oldest first, and an invocation alone', async () => {
      const { traces } = await open();
      await traces.appendTraces([ev('T', 'a'), ev('U', 'u1'), ev('T', 'a')], long);
      await traces.appendTraces([ev('V', 'v1')], long);
      await traces.appendTraces([ev('T', 'b'), ev('U', 'u2')], long);
      await traces.appendTraces([ev('T', 'c'), ev('T', 'a')], long);
      assert.deepEqual(invs(await traces.readTraces({ traceId: 'T' })), ['a', 'a', 'b', 'c', 'a']);
      assert.deepEqual(invs(await traces.readTraces({ invocationId: 'a' })), ['a', 'a', 'a']);
      assert.deepEqual(invs(await traces.readTraces({ traceId: 'T', limit: 2 })), ['a', 'a']);
      assert.deepEqual(invs(await traces.readTraces({ traceId: 'U' })), ['u1', 'u2']);
    });

    it('keeps ids apart that are prefixes of each other, or the same string as trace and invocation', async () => {
      const { traces } = await open();
      const odd = 'ab\n"c\u0000 1';
      await traces.appendTraces([ev('ab', 'ab'), ev('abc', 'abc'), ev('a', 'a b'), ev('ab', odd)], long);
      assert.deepEqual(invs(await traces.readTraces({ invocationId: 'ab' })), ['ab']);
      assert.deepEqual(invs(await traces.readTraces({ invocationId: 'a' })), []);
      assert.deepEqual(invs(await traces.readTraces({ traceId: 'ab' })), ['ab', odd]);
      assert.deepEqual(invs(await traces.readTraces({ traceId: 'a' })), ['a b']);
      assert.deepEqual(invs(await traces.readTraces({ invocationId: odd })), [odd]);
      assert.deepEqual(invs(await traces.readTraces({ invocationId: 'ab\n"c' })), []);
    });

    it('keeps two stores apart by key prefix', async () => {
      const one = await open();
      const two = await open();
      await one.traces.appendTraces([ev('T', 'one')], long);
      await two.traces.appendTraces([ev('T', 'two')], { ttlMs: 3_600_000, maxEvents: 1 });
      await two.traces.appendTraces([ev('T', 'two-b')], { ttlMs: 3_600_000, maxEvents: 1 });
      assert.deepEqual(invs(await one.traces.readTraces({ traceId: 'T' })), ['one']);
      assert.deepEqual(invs(await two.traces.readTraces({ traceId: 'T' })), ['two-b']);
    });

    it('unlinks the unexpiring keys of the earlier layout on its first append', async () => {
      const { traces, prefix } = await open();
      await admin.set(`${prefix}tr:n`, '5');
      await admin.hset(`${prefix}tr:data`, '5', '{}');
      await admin.zadd(`${prefix}tr:all`, 5, '5');
      await traces.appendTraces([ev('T', 'a')], long);
      assert.equal(await admin.exists(`${prefix}tr:n`, `${prefix}tr:data`, `${prefix}tr:all`), 0);
      assert.equal((await traces.readTraces({ traceId: 'T' })).length, 1);
    });

    it('reads a generation indexed by the earlier hash, alongside new ones, and unlinks it with its flushes', async () => {
      const { traces, prefix } = await open();
      // What the earlier version wrote for one flush (id 2) of two events: its data and its index hash.
      const packed = Buffer.from(packGroups(encodeTraceEvents([ev('T', 'old'), ev('T', 'old')])).packed);
      await admin.set(`${prefix}tf:n`, '2');
      await admin.hset(`${prefix}tf:data`, '2', packed);
      await admin.zadd(`${prefix}tf:all`, 2, '2');
      await admin.zadd(`${prefix}tf:exp`, Date.now() + 3_600_000, '2');
      await admin.zadd(`${prefix}tf:gens`, 0, '0');
      await admin.hset(`${prefix}tf:ix:0`, 'iold', '2', 'tT', '2');
      // A small cap: the next appends start generations of their own, then push the old flush out.
      const small = { ttlMs: 3_600_000, maxEvents: 8 };
      await traces.appendTraces([ev('T', 'new')], small);
      assert.deepEqual(invs(await traces.readTraces({ traceId: 'T' })), ['old', 'old', 'new']);
      assert.deepEqual(invs(await traces.readTraces({ invocationId: 'old' })), ['old', 'old']);
      for (let f = 0; f < 10; f++) await traces.appendTraces([ev('U', `u${f}`)], small);
      assert.deepEqual(invs(await traces.readTraces({ traceId: 'T' })), []);
      assert.equal(await admin.exists(`${prefix}tf:ix:0`), 0, 'the old generation went with its flush');
    });
  });
}
