import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ConfigError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import type { WorkNotice } from '../../ports/transport.js';
import { transportContract } from '../../testing/transport-contract.js';
import { PostgresNotifier } from './index.js';
import { MAX_PAYLOAD_BYTES, packNotices, unpackNotices } from './notify-payload.js';
import { adminPool, postgresUrl, unreachable as whyUnreachable } from '../../../test/support/postgres.js';
import { assertUnreachableError, backendUnavailable } from '../../../test/support/backend.js';

const url = postgresUrl;
const admin = adminPool();
const reachable = (): Promise<string | undefined> => whyUnreachable(admin);

const notice = (partition: number): WorkNotice => ({ partition, invocationId: randomUUID() });

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

// Probe before any suite is declared: suites declared before a top-level await start running during it.
const unreachable = await reachable();
after(() => admin.end());

describe('postgres-notify payload packing', () => {
  it('packs notices into JSON arrays below the 8000-byte NOTIFY limit and reads them back', () => {
    const notices = Array.from({ length: 2000 }, (_, i) => notice(i % 64));
    const { payloads, oversized } = packNotices(notices);
    assert.equal(oversized.length, 0);
    assert.ok(payloads.length > 1 && payloads.length < 40, `${payloads.length} payloads`);
    for (const p of payloads) assert.ok(Buffer.byteLength(p) <= MAX_PAYLOAD_BYTES);
    assert.deepEqual(payloads.flatMap((p) => unpackNotices(p).notices), notices);
  });

  it('sets aside a notice too large for any payload, and skips malformed entries', () => {
    const huge = { partition: 1, invocationId: 'x'.repeat(8000) };
    const small = notice(2);
    const { payloads, oversized } = packNotices([huge, small]);
    assert.deepEqual(oversized, [huge]);
    assert.deepEqual(payloads.flatMap((p) => unpackNotices(p).notices), [small]);
    assert.deepEqual(unpackNotices('not json'), { notices: [], invalid: 1 });
    assert.deepEqual(unpackNotices(JSON.stringify([small, { partition: 'x' }])), { notices: [small], invalid: 1 });
    assert.deepEqual(unpackNotices(JSON.stringify(small)), { notices: [small], invalid: 0 });
  });

  it('rejects a channel name PostgreSQL would truncate', () => {
    assert.throws(() => new PostgresNotifier(url, { schema: 'a'.repeat(60) }), ConfigError);
  });
});

if (unreachable) {
  backendUnavailable('postgres notifier', 'PostgreSQL', unreachable, 'LOOM_TEST_POSTGRES_URL');
} else {
  // The channel is per schema; the schema itself need not exist to NOTIFY on it.
  transportContract('postgres-notify', async (name) => ({ transport: new PostgresNotifier(url, { schema: name, logger: silentLogger }) }), { delivery: 'at-most-once' });
  notifierSpecifics();
}

function notifierSpecifics(): void {
  describe('postgres notifier specifics', () => {
    const opened: PostgresNotifier[] = [];
    after(async () => {
      for (const n of opened) await n.close();
    });
    const open = async (schema = `n${randomUUID().slice(0, 8)}`) => {
      const n = new PostgresNotifier(url, { schema, logger: silentLogger });
      opened.push(n);
      await n.start();
      return { n, schema };
    };

    it('delivers 2000 notices sent in one publish (many NOTIFYs in one statement)', async () => {
      const { n } = await open();
      const seen = new Set<string>();
      await n.consume([0, 1, 2, 3], (d) => seen.add(d.notice.invocationId));
      const batch = Array.from({ length: 2000 }, (_, i) => notice(i % 4));
      await n.publish(batch);
      await until('2000 notices arrive', () => seen.size === 2000);
    });

    it('hears notices from another notifier on the same schema, not from another schema', async () => {
      const { n: a, schema } = await open();
      const { n: b } = await open(schema);
      const { n: c } = await open();
      const got: string[] = [];
      await a.consume([0], (d) => got.push(d.notice.invocationId));
      const mine = notice(0);
      await c.publish([notice(0)]);
      await b.publish([mine]);
      await until('the notice from b arrives', () => got.length >= 1);
      await sleep(200);
      assert.deepEqual(got, [mine.invocationId]);
    });

    it('reconnects its LISTEN connection after the server terminates it, and hears again', async () => {
      const { n, schema } = await open();
      const got: string[] = [];
      await n.consume([0], (d) => got.push(d.notice.invocationId));
      const app = `loom-notify ${schema}.work`;
      const pids = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app])).rows.map((r) => r.pid);
      const [before] = await pids();
      assert.ok(before, 'the LISTEN connection is visible');
      await admin.query('SELECT pg_terminate_backend($1)', [before]);
      await until('a new LISTEN connection is up', async () => {
        const now = await pids();
        return now.length === 1 && now[0] !== before;
      });
      // The new backend shows up before its LISTEN ran: publish until one is heard.
      const sent: string[] = [];
      await until('notices are heard again', async () => {
        const x = notice(0);
        sent.push(x.invocationId);
        await n.publish([x]);
        await sleep(50);
        return got.length > 0;
      });
      assert.ok(got.every((id) => sent.includes(id)));
    });

    it('leaves a pool it was given open when it closes', async () => {
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      try {
        const n = new PostgresNotifier(pool, { schema: `n${randomUUID().slice(0, 8)}`, logger: silentLogger });
        await n.start();
        const got: string[] = [];
        await n.consume([0], (d) => got.push(d.notice.invocationId));
        await n.publish([notice(0)]);
        await until('it arrives', () => got.length === 1);
        await n.close();
        assert.equal((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
      } finally {
        await pool.end();
      }
    });

    it('start() rejects with a StoreError naming the server when PostgreSQL is unreachable', async () => {
      const n = new PostgresNotifier('postgres://postgres:secret@127.0.0.1:1/test', { logger: silentLogger });
      await assertUnreachableError(n.start(), { where: /127\.0\.0\.1:1\/test/, advice: /Is PostgreSQL running/, secret: 'secret' });
      await n.close();
    });
  });
}
