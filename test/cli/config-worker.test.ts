import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Store } from '../../src/ports/store.js';
import { partitionOf } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDir } from '../support/runtime.js';
import { adminPool, postgresUrl, unreachable as pgUnreachable } from '../support/postgres.js';
import { dropPrefix, openAdmin, redisUrl } from '../support/redis.js';

const run = promisify(execFile);

/** Starts `loom worker --config <file> test/cli/config-actors.ts`, sends work through the store, checks the results, stops it with SIGTERM. */
async function workerFromConfig(yaml: string, openStore: () => Promise<Store>): Promise<void> {
  const tmp = tempDir();
  const cfg = join(tmp.dir, 'loom.config.yaml');
  writeFileSync(cfg, yaml);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--config', cfg, 'test/cli/config-actors.ts', '--grace', '5000'], {
    env: { ...process.env, GREETING_SECRET: 'Hello from a secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const store = await openStore();
  try {
    for (let i = 0; i < 400 && !out.includes('started') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /loom worker \d+ started \(test\/cli\/config-actors\.ts, config .*loom\.config\.yaml\)/);
    const partition = partitionOf('Greeter', 'g1', 4); // runtime.partitions: 4 in the file
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await store.enqueue([
      { id: ids[0]!, actorType: 'Greeter', actorId: 'g1', method: 'greet', argsJson: '["Ada"]', partition, ttlMs: 60_000 },
      { id: ids[1]!, actorType: 'Greeter', actorId: 'g1', method: 'greet', argsJson: '["Bob"]', partition, ttlMs: 60_000 },
      { id: ids[2]!, actorType: 'Greeter', actorId: 'g1', method: 'slow', argsJson: '[2000]', partition, ttlMs: 60_000 },
    ]);
    const settled = async (id: string) => {
      for (let i = 0; i < 600; i++) {
        const rec = await store.getInvocation(id);
        if (rec && ['completed', 'failed', 'dead'].includes(rec.status)) return rec;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.fail(`invocation ${id} did not finish; worker output:\n${out}`);
    };
    assert.equal(JSON.parse((await settled(ids[0]!)).resultJson!), 'Hello from a secret, Ada #1');
    assert.equal(JSON.parse((await settled(ids[1]!)).resultJson!), 'Hello from a secret, Bob #2');
    const slow = await settled(ids[2]!);
    assert.equal(slow.status, 'dead', 'the 2 s handler ran past the 300 ms timeout the file sets, and maxAttempts 1 dead-lettered it');
    assert.equal(slow.error?.code, 'LOOM_TIMEOUT');
    assert.match(slow.error!.message, /timeout of 300 ms/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /stopped cleanly/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await store.close();
    tmp.cleanup();
  }
}

const actorsYaml = `
runtime:
  partitions: 4
  pollInterval: 20ms
actors:
  Greeter:
    timeout: 300
    retryPolicy:
      maxAttempts: 1
    secrets:
      greeting: env://GREETING_SECRET
`;

describe('loom worker --config', { timeout: 90_000 }, () => {
  describe('on Redis', () => {
    let conn: Awaited<ReturnType<typeof openAdmin>>;
    const prefix = `loom-cfgw-${randomUUID().slice(0, 8)}:`;
    before(async () => (conn = await openAdmin()));
    after(async () => {
      if (!conn.unreachable) await dropPrefix(conn.admin, prefix);
      conn.admin.disconnect();
    });
    it('builds the store, transport, settings and secrets from the file and runs the actors module', async (t) => {
      if (conn.unreachable) return process.env.CI === 'true' ? assert.fail(conn.unreachable) : t.skip(conn.unreachable);
      const yaml = `redis:\n  url: \${LOOM_TEST_REDIS_URL:-${redisUrl}}\n  prefix: "${prefix}"\ntransport: redis-streams\nredisStreams:\n  prefix: "${prefix}s:"\n${actorsYaml}`;
      await workerFromConfig(yaml, async () => {
        const { RedisStore } = await import('../../src/adapters/redis/index.js');
        const store = new RedisStore(redisUrl, { prefix, logger: silentLogger });
        await store.init();
        return store;
      });
    });
  });

  describe('on PostgreSQL', () => {
    const admin = adminPool();
    let down: string | undefined;
    const schema = `loom_cfgw_${randomUUID().slice(0, 8)}`;
    before(async () => (down = await pgUnreachable(admin)));
    after(async () => {
      if (!down) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    it('builds the store and LISTEN/NOTIFY transport from the file and runs the actors module', async (t) => {
      if (down) return process.env.CI === 'true' ? assert.fail(down) : t.skip(down);
      const yaml = `postgres:\n  url: ${postgresUrl}\n  schema: ${schema}\n${actorsYaml}`;
      await workerFromConfig(yaml, async () => {
        const { PostgresStore } = await import('../../src/adapters/postgres/index.js');
        const store = new PostgresStore(postgresUrl, { schema, logger: silentLogger });
        await store.init();
        return store;
      });
    });
  });

  it('exits 1 and lists every problem when the file is invalid', async () => {
    const tmp = tempDir();
    try {
      const cfg = join(tmp.dir, 'loom.config.yaml');
      writeFileSync(cfg, 'redis:\n  hots: x\nruntime:\n  leaseTtl: soon\n');
      const err = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--config', cfg, 'test/cli/config-actors.ts']).catch((e: { code: number; stderr: string }) => e);
      assert.equal((err as { code: number }).code, 1);
      assert.match((err as { stderr: string }).stderr, /has 2 problems:\n {2}- redis\.hots: unknown key.*\(did you mean "host"\?\)\n {2}- runtime\.leaseTtl: expected a duration/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('loom config show', { timeout: 30_000 }, () => {
  it('prints each key with its value and source, secrets as references and passwords masked', async () => {
    const tmp = tempDir();
    try {
      const cfg = join(tmp.dir, 'loom.config.yaml');
      writeFileSync(cfg, 'redis:\n  host: ${REDIS_HOST:-localhost}\n  password: ${REDIS_PASSWORD}\nactors:\n  payment-processor:\n    secrets:\n      apiKey: vault://my-vault/api-key\n');
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', 'show', '--config', cfg], {
        env: { ...process.env, REDIS_PASSWORD: 'pw-never-shown', LOOM_RUNTIME_PARTITIONS: '16' },
      });
      assert.ok(!stdout.includes('pw-never-shown'), stdout);
      const line = (key: string) => stdout.split('\n').find((l) => l.startsWith(`${key} `)) ?? '';
      assert.match(line('redis.host'), /"localhost"\s+loom\.config\.yaml via \$\{REDIS_HOST\}/);
      assert.match(line('redis.password'), /"\*\*\*\*\*\*\*\*"\s+loom\.config\.yaml via \$\{REDIS_PASSWORD\}/);
      assert.match(line('runtime.partitions'), /16\s+env LOOM_RUNTIME_PARTITIONS/);
      assert.match(line('runtime.leaseTtl'), /10000\s+default/);
      assert.match(line('actors.payment-processor.secrets.apiKey'), /"vault:\/\/my-vault\/api-key"\s+loom\.config\.yaml/);
      const json = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', 'show', '--config', cfg, '-o', 'json'], { env: { ...process.env, REDIS_PASSWORD: 'pw' } });
      const entries = JSON.parse(json.stdout) as { path: string; source: string }[];
      assert.equal(entries.find((e) => e.path === 'store')?.source, 'default');
    } finally {
      tmp.cleanup();
    }
  });
});
