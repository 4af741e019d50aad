// `import 'loom'` must work without the optional drivers, and the seed's Redis
// names must say what to install when they are used without them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';

const run = promisify(execFile);

const script = `
import { ActorRuntime, RedisStateAdapter, BullMQMessageAdapter, RedisIdempotencyStore, LoomError } from './src/index.ts';
const out = {};
try { await import('ioredis'); out.ioredis = 'loaded'; } catch (e) { out.ioredis = e.code; }
const ttl = new RedisIdempotencyStore('redis://127.0.0.1:6379', 60);
out.ttl = ttl.idempotencyTtlSeconds;
for (const [name, opts] of [
  ['store', { stateAdapter: new RedisStateAdapter('redis://127.0.0.1:6379'), logger: { debug() {}, info() {}, warn() {}, error() {} } }],
  ['transport', { dbPath: process.argv[1], messageAdapter: new BullMQMessageAdapter('redis://127.0.0.1:6379'), logger: { debug() {}, info() {}, warn() {}, error() {} } }],
]) {
  const rt = new ActorRuntime(opts);
  try { await rt.start(); out[name] = 'started'; } catch (e) { out[name] = { loom: e instanceof LoomError, code: e.code, message: e.message }; }
  await rt.stop().catch(() => {});
}
console.log(JSON.stringify(out));
`;

describe('the root module without the optional drivers', () => {
  it('imports, and the seed adapters fail start() with "npm install ..." when ioredis/bullmq are missing', { timeout: 60_000 }, async (t) => {
    const db = `/tmp/loom-drivers-${process.pid}.db`;
    t.after(() => { for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true }); });
    const { stdout } = await run(
      process.execPath,
      ['--import', './test/support/hide-drivers.mjs', '--import', 'tsx', '--input-type=module', '-e', script, db],
      { cwd: process.cwd(), timeout: 50_000 },
    );
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, { loom: boolean; code: string; message: string } | string | number>;
    assert.equal(out.ioredis, 'ERR_MODULE_NOT_FOUND', 'the hook hides ioredis');
    assert.equal(out.ttl, 60);
    assert.deepEqual(out.store, { loom: true, code: 'LOOM_CONFIG', message: 'RedisStateAdapter needs the ioredis package, which is not installed: run npm install ioredis' });
    const transport = out.transport as { loom: boolean; code: string; message: string };
    assert.equal(transport.code, 'LOOM_CONFIG');
    assert.match(transport.message, /^BullMQMessageAdapter needs the (bullmq|ioredis) package, which is not installed: run npm install bullmq ioredis$/);
  });
});
