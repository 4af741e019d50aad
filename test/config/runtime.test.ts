import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Actor, InvocationFailedError } from '../../src/index.js';
import { createRuntimeFromConfig, loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { randomUUID } from 'node:crypto';
import { tempDir } from '../support/runtime.js';
import { adminPool, postgresUrl, unreachable as pgUnreachable } from '../support/postgres.js';

const run = promisify(execFile);

class PaymentProcessor extends Actor<{ attempts: number }> {
  static config = { retryPolicy: { initialDelayMs: 5, backoff: 'fixed' as const } };
  async charge() {
    throw new Error('declined');
  }
  async nap(ms: number) {
    await new Promise((r) => setTimeout(r, ms));
    return 'awake';
  }
}

describe('createRuntimeFromConfig', { timeout: 30_000 }, () => {
  it("applies the file's actor settings (kebab-case key), over the class's static config and under register()", async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const config = await loadConfig(
      {
        sqlite: { path: tmp.db },
        runtime: { pollInterval: '20ms', partitions: 4 },
        defaults: { timeout: '5s' },
        actors: { 'payment-processor': { timeout: 200, retryPolicy: { maxAttempts: 2 } } },
      },
      { env: {} },
    );
    const runtime = await createRuntimeFromConfig(config, { actors: [PaymentProcessor], logger: silentLogger });
    t.after(() => runtime.stop());
    await assert.rejects(runtime.call({ actorType: 'PaymentProcessor', actorId: 'p1', method: 'charge' }), (err: unknown) => {
      assert.ok(err instanceof InvocationFailedError && err.deadLettered);
      return true;
    });
    const dead = await runtime.deadLetters.list({ actorType: 'PaymentProcessor' });
    assert.equal(dead[0]?.attempt, 2, 'maxAttempts 2 from the file; the fixed 5 ms backoff of static config kept');
    await assert.rejects(runtime.call({ actorType: 'PaymentProcessor', actorId: 'p2', method: 'nap', args: [1000], retryPolicy: { maxAttempts: 1 } }), /timeout of 200 ms/);
    assert.deepEqual(runtime.partitions.length, 4);
  });

  it('applies actors.<type> to a class registered later, and register() overrides it', async (t) => {
    const runtime = await createRuntimeFromConfig(await loadConfig({ store: 'memory', actors: { PaymentProcessor: { timeout: 100 } } }, { env: {} }), { logger: silentLogger });
    t.after(() => runtime.stop());
    runtime.register(PaymentProcessor);
    await assert.rejects(runtime.call({ actorType: 'PaymentProcessor', actorId: 'p', method: 'nap', args: [500], retryPolicy: { maxAttempts: 1 } }), /timeout of 100 ms/);
    const other = await createRuntimeFromConfig(await loadConfig({ store: 'memory', actors: { PaymentProcessor: { timeout: 100 } } }, { env: {} }), { logger: silentLogger });
    t.after(() => other.stop());
    other.register(PaymentProcessor, { timeout: 2000 });
    assert.equal(await other.call({ actorType: 'PaymentProcessor', actorId: 'p', method: 'nap', args: [200] }), 'awake');
  });

  it('rejects settings for an actor type none of the classes has, with a did-you-mean', async () => {
    const config = await loadConfig({ store: 'memory', actors: { 'payment-procesor': { timeout: 1 } } }, { env: {} });
    await assert.rejects(createRuntimeFromConfig(config, { actors: [PaymentProcessor] }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LOOM_CONFIG_INVALID');
      assert.match(err.message, /actors\.payment-procesor names no actor type given to createRuntimeFromConfig \(did you mean "payment-processor"\?\); the actor types are PaymentProcessor/);
      return true;
    });
  });

  it('takes the path of a config file', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    process.env.LOOM_TEST_SQLITE_PATH = tmp.db;
    t.after(() => delete process.env.LOOM_TEST_SQLITE_PATH);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${tmp.dir}/loom.config.yaml`, 'sqlite:\n  path: ${LOOM_TEST_SQLITE_PATH}\n  synchronous: NORMAL\n');
    const runtime = await createRuntimeFromConfig(`${tmp.dir}/loom.config.yaml`, { actors: [PaymentProcessor], logger: silentLogger });
    t.after(() => runtime.stop());
    await runtime.start();
    assert.equal((runtime.store as unknown as { path: string }).path, tmp.db);
  });

  it('resolves a secret reference in backend settings (postgres.url: env://…) when it builds the store', async (t) => {
    const admin = adminPool();
    const down = await pgUnreachable(admin);
    const schema = `loom_cfgref_${randomUUID().slice(0, 8)}`;
    t.after(async () => {
      if (!down) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    if (down) return process.env.CI === 'true' ? assert.fail(down) : t.skip(down);
    process.env.LOOM_TEST_DATABASE_URL = postgresUrl;
    t.after(() => delete process.env.LOOM_TEST_DATABASE_URL);
    const config = await loadConfig({ postgres: { url: 'env://LOOM_TEST_DATABASE_URL', schema }, transport: 'none' }, { env: {} });
    const runtime = await createRuntimeFromConfig(config, { actors: [PaymentProcessor], logger: silentLogger });
    t.after(() => runtime.stop());
    assert.equal(await runtime.call({ actorType: 'PaymentProcessor', actorId: 'p', method: 'nap', args: [1] }), 'awake');
    const tables = await admin.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1', [schema]);
    assert.ok(tables.rowCount! > 0, 'the store made its tables in the schema the file names');
  });

  it('says which package to install when a backend driver is missing', async () => {
    // A child process in which ioredis cannot be resolved, as if it were not installed.
    const hook = `data:text/javascript,${encodeURIComponent(
      "export async function resolve(s, c, next) { if (s === 'ioredis') { const e = new Error(\"Cannot find package 'ioredis' imported from \" + c.parentURL); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }",
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;
    const script = "const { createRuntimeFromConfig } = await import('./src/config/index.ts'); try { await createRuntimeFromConfig({ redis: { host: 'localhost' } }); console.log('built'); } catch (e) { console.log(e.code + ' ' + e.message); }";
    const { stdout } = await run(process.execPath, ['--import', register, '--import', 'tsx', '--input-type=module', '-e', script]);
    assert.match(stdout, /^LOOM_MISSING_DRIVER the redis settings needs ioredis, which is not installed: npm install ioredis/);
  });
});

it('createRuntimeFromConfig validates a plain object it is given', { timeout: 10_000 }, async () => {
  await assert.rejects(createRuntimeFromConfig({ store: 'memory', runtime: { partitons: 4 } } as never), /runtime\.partitons: unknown key.*did you mean "partitions"/);
});
