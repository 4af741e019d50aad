// Soak for hostile input: runs the hostile-input property (test/hostile/property.ts)
// with random seeds until stopped or --rounds is reached, printing each seed so a
// failure can be replayed with --seed.
//   node --import tsx scripts/soak-hostile.ts [--store memory|sqlite|redis|postgres] [--runs 100] [--rounds N] [--seed S]
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorRuntime, type Store } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';
import { Hostile, hostileProperty } from '../test/hostile/property.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    runs: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '10' },
    seed: { type: 'string' },
  },
});

async function openStore(kind: string): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  const ns = `loom_soak_${process.pid}_${Date.now().toString(36)}`;
  if (kind === 'memory') {
    const { MemoryStore } = await import('../src/adapters/memory/index.js');
    return { store: new MemoryStore(), cleanup: async () => {} };
  }
  if (kind === 'sqlite') {
    const { SqliteStore } = await import('../src/adapters/sqlite/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'loom-soak-'));
    return { store: new SqliteStore({ path: join(dir, 'loom.db') }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (kind === 'redis') {
    const { RedisStore } = await import('../src/adapters/redis/index.js');
    const url = process.env.LOOM_TEST_REDIS_URL ?? 'redis://localhost:6379';
    const { dropPrefix, openAdmin } = await import('../test/support/redis.js');
    return {
      store: new RedisStore(url, { prefix: `${ns}:`, logger: silentLogger }),
      cleanup: async () => {
        const { admin } = await openAdmin();
        await dropPrefix(admin, `${ns}:`);
        await admin.quit();
      },
    };
  }
  if (kind === 'postgres') {
    const { PostgresStore } = await import('../src/adapters/postgres/index.js');
    const { adminPool, postgresUrl } = await import('../test/support/postgres.js');
    return {
      store: new PostgresStore({ connectionString: postgresUrl, max: 4 }, { schema: ns, logger: silentLogger }),
      cleanup: async () => {
        const admin = adminPool();
        await admin.query(`DROP SCHEMA IF EXISTS ${ns} CASCADE`);
        await admin.end();
      },
    };
  }
  throw new Error(`--store must be memory, sqlite, redis or postgres (got "${kind}")`);
}

const rounds = values.seed ? 1 : Number(values.rounds);
let failed = 0;
for (let round = 0; round < rounds; round++) {
  const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const { store, cleanup } = await openStore(values.store!);
  const runtime = new ActorRuntime({ store, logger: silentLogger, pollIntervalMs: 20 });
  runtime.register(Hostile);
  const started = performance.now();
  try {
    const r = await hostileProperty({ runtime, seed, numRuns: Number(values.runs) });
    console.log(`seed ${seed}: ok — ${r.good} good, ${r.bad} hostile (${r.rejected} rejected) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    failed++;
    const cause = (err as { cause?: Error }).cause;
    console.log(`seed ${seed}: FAILED — ${(err as Error).message.slice(0, 2000)}${cause ? `\n  because: ${String(cause.message).slice(0, 2000)}` : ''}`);
  } finally {
    await runtime.stop(200);
    await cleanup();
  }
}
process.exit(failed ? 1 : 0);
