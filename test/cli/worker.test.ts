import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { tempDir } from '../support/runtime.js';

it('loom worker runs a module, and on SIGTERM finishes in-flight work, releases its leases and exits 0', { timeout: 60_000 }, async () => {
  const tmp = tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', 'test/cli/worker-module.ts', '--grace', '5000'], {
    env: { ...process.env, LOOM_TEST_DB: tmp.db },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    for (let i = 0; i < 300 && !out.includes('started'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /loom worker \d+ started/);

    // A message accepted by another process on the same store; the worker picks it up and is mid-handler at SIGTERM.
    const db = new Database(tmp.db);
    const { SqliteStore } = await import('../../src/adapters/sqlite/index.js');
    const store = new SqliteStore({ path: tmp.db });
    await store.init();
    const { partitionOf } = await import('../../src/core/ids.js');
    await store.enqueue([{ id: 'inv-1', actorType: 'Slow', actorId: 's1', method: 'work', argsJson: '[1500]', partition: partitionOf('Slow', 's1', 4), ttlMs: 60_000 }]);
    for (let i = 0; i < 100; i++) {
      const row = db.prepare("SELECT started FROM loom_invocations WHERE id = 'inv-1'").get() as { started: number } | undefined;
      if (row) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 600)); // the worker polls and starts the 1.5 s handler
    child.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /SIGTERM: finishing in-flight work/);
    assert.match(out, /stopped cleanly/);
    const inv = db.prepare("SELECT status FROM loom_invocations WHERE id = 'inv-1'").get() as { status: string };
    assert.equal(inv.status, 'completed', 'the in-flight invocation finished within the grace period');
    const held = db.prepare('SELECT COUNT(*) AS n FROM loom_leases WHERE owner IS NOT NULL').get() as { n: number };
    assert.equal(held.n, 0, 'every lease was released');
    db.close();
    await store.close();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    tmp.cleanup();
  }
});
