// A secret value must never reach what Loom writes or says: store rows (and the
// SQLite files themselves), journal, dead letters, stored errors, attempt events, trace events, metrics,
// log lines and the errors callers get. The workload reads a canary secret,
// puts it in every kind of failure, retries and dead-letters; then every place
// is searched for the canary: 0 hits.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Actor, TerminalError } from '../../src/index.js';
import { createRuntimeFromConfig, loadConfig, type LoomConfig } from '../../src/config/index.js';
import { REDACTED } from '../../src/secrets/index.js';
import type { Logger } from '../../src/core/logger.js';
import { tempDir } from '../support/runtime.js';
import { observe, StoreTraceSink, JsonLinesSink } from '../../src/observability/index.js';
import { adminPool, postgresUrl, unreachable as pgUnreachable } from '../support/postgres.js';
import { dropPrefix, openAdmin, redisUrl } from '../support/redis.js';

class Charger extends Actor {
  async charge(orderId: string) {
    // A failing step: its error is journaled.
    await this.step('call-psp', () => {
      throw new Error(`PSP rejected ${orderId} with key ${this.secrets.apiKey}`);
    });
  }
  async refund() {
    throw new TerminalError(`refund refused for key=${this.secrets.apiKey}`, { code: 'REFUND_REFUSED' });
  }
  async weird() {
    throw { reason: 'not an Error', key: this.secrets.apiKey };
  }
}

interface Backend {
  config(secretFile: string): Partial<LoomConfig>;
  /** Every row or value the store holds, as text. */
  dump(): Promise<string>;
}

async function runWorkload(backend: Backend): Promise<void> {
  const tmp = tempDir();
  const canary = `canary-${randomUUID()}`;
  const secretFile = join(tmp.dir, 'api-key');
  writeFileSync(secretFile, canary);
  const lines: string[] = [];
  const logger: Logger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  const consoleLines: string[] = [];
  const saved = { warn: console.warn, error: console.error, log: console.log };
  console.warn = console.error = console.log = (...a: unknown[]) => consoleLines.push(a.map(String).join(' '));
  const events: string[] = [];
  const errors: string[] = [];
  const config = await loadConfig(
    {
      ...backend.config(secretFile),
      runtime: { pollInterval: 20 },
      actors: { Charger: { retryPolicy: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 5 }, secrets: { apiKey: `file://${secretFile}` } } },
    },
    { env: {} },
  );
  const runtime = await createRuntimeFromConfig(config, { actors: [Charger], logger, onAttempt: (e) => events.push(JSON.stringify(e)) });
  const traceFile = join(tmp.dir, 'traces.jsonl');
  const obs = observe(runtime, { metrics: true, traceSinks: [new StoreTraceSink(), new JsonLinesSink(traceFile)] });
  try {
    await runtime.start();
    for (const method of ['charge', 'refund', 'weird']) {
      try {
        await runtime.call({ actorType: 'Charger', actorId: `c-${method}`, method, args: method === 'charge' ? ['order-1'] : [], idempotencyKey: `k-${method}` });
        assert.fail(`${method} succeeded`);
      } catch (err) {
        errors.push(`${String(err)} ${JSON.stringify(err)} ${(err as Error).stack}`);
      }
    }
    const dead = await runtime.deadLetters.list({ actorType: 'Charger' });
    assert.equal(dead.length, 2, 'charge and weird were retried and dead-lettered; refund failed terminally');
    for (const d of dead) events.push(JSON.stringify(d));
    assert.ok(dead.every((d) => d.attempt === 3));
    assert.ok(
      dead.every((d) => d.error?.message.includes(REDACTED)),
      'the secret was in each error and was redacted (the search below can find what it looks for)',
    );
    await obs.flush();
    const traces = readFileSync(traceFile, 'utf8');
    assert.match(traces, /actor:dead_lettered|dead/, 'trace events were written');
    const metrics = await obs.metrics!.text();
    const stored = await backend.dump();
    assert.ok(stored.includes('c-charge') && stored.includes(REDACTED), 'the dump holds the invocations');
    assert.ok(events.length >= 7, `attempt events were observed (${events.length})`);
    const places = { 'store rows': stored, 'log lines': lines.join('\n'), console: consoleLines.join('\n'), 'caller errors': errors.join('\n'), 'attempt events and dead letters': events.join('\n'), 'trace events': traces, metrics };
    for (const [where, text] of Object.entries(places)) assert.equal(text.split(canary).length - 1, 0, `the canary is in the ${where}`);
  } finally {
    console.warn = saved.warn;
    console.error = saved.error;
    console.log = saved.log;
    await runtime.stop();
    await obs.close();
    tmp.cleanup();
  }
}

describe('no secret value reaches anything Loom writes or says', { timeout: 60_000 }, () => {
  it('on SQLite: rows (trace events included), the database and WAL files, trace lines, metrics, logs, errors, dead letters', async () => {
    const tmp = tempDir();
    try {
      await runWorkload({
        config: () => ({ store: 'sqlite', sqlite: { path: tmp.db } }),
        dump: async () => {
          const Database = (await import('better-sqlite3')).default;
          const db = new Database(tmp.db, { readonly: true });
          const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
          const rows = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all()));
          db.close();
          const files = readdirSync(tmp.dir).map((f) => readFileSync(join(tmp.dir, f)).toString('latin1'));
          return [...rows, ...files].join('\n');
        },
      });
    } finally {
      tmp.cleanup();
    }
  });

  describe('on PostgreSQL', () => {
    const admin = adminPool();
    let down: string | undefined;
    const schema = `loom_canary_${randomUUID().slice(0, 8)}`;
    before(async () => (down = await pgUnreachable(admin)));
    after(async () => {
      if (!down) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    it('every row of every table', async (t) => {
      if (down) return process.env.CI === 'true' ? assert.fail(down) : t.skip(down);
      await runWorkload({
        config: () => ({ store: 'postgres', postgres: { url: postgresUrl, schema } }),
        dump: async () => {
          const tables = await admin.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
          const out: string[] = [];
          for (const { table_name } of tables.rows) {
            const rows = await admin.query(`SELECT row_to_json(t)::text AS j FROM ${schema}."${table_name}" t`);
            out.push(...rows.rows.map((r: { j: string }) => r.j));
          }
          return out.join('\n');
        },
      });
    });
  });

  describe('on Redis', () => {
    let conn: Awaited<ReturnType<typeof openAdmin>>;
    const prefix = `loom-canary-${randomUUID().slice(0, 8)}:`;
    before(async () => (conn = await openAdmin()));
    after(async () => {
      if (!conn.unreachable) await dropPrefix(conn.admin, prefix);
      conn.admin.disconnect();
    });
    it('every key under the prefix, whatever its type', async (t) => {
      if (conn.unreachable) return process.env.CI === 'true' ? assert.fail(conn.unreachable) : t.skip(conn.unreachable);
      await runWorkload({
        config: () => ({ redis: { url: redisUrl, prefix } }),
        dump: async () => {
          const r = conn.admin;
          const out: string[] = [];
          let cursor = '0';
          do {
            const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            cursor = next;
            for (const key of keys) {
              const type = await r.type(key);
              const value =
                type === 'string' ? await r.get(key)
                : type === 'hash' ? await r.hgetall(key)
                : type === 'list' ? await r.lrange(key, 0, -1)
                : type === 'set' ? await r.smembers(key)
                : type === 'zset' ? await r.zrange(key, 0, -1, 'WITHSCORES')
                : type === 'stream' ? await r.xrange(key, '-', '+')
                : `(${type})`;
              out.push(`${key} ${JSON.stringify(value)}`);
            }
          } while (cursor !== '0');
          return out.join('\n');
        },
      });
    });
  });
});
