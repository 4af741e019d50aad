// The embedded store's file: what is wrong with it is said at start, and losing it under a running worker
// stops the worker's writes loudly instead of acknowledging writes that vanish on restart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Actor, ActorRuntime } from '../../src/index.js';
import type { Logger } from '../../src/core/logger.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { transactionError } from '../../src/adapters/sqlite/errors.js';
import { createHealthServer } from '../../src/observability/index.js';
import { tempDir } from '../support/runtime.js';

class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add() {
    return ++this.state.n;
  }
}

/** A logger that keeps its errors. */
function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, debug: () => {}, info: () => {}, warn: () => {}, error: (m) => void errors.push(m) };
}

const call = (rt: ActorRuntime, key?: string) => rt.call({ actorType: 'Counter', actorId: 'c', method: 'add', args: [], ...(key ? { idempotencyKey: key } : {}) });

describe('the SQLite file', () => {
  it('deleted under a running worker: the store takes no more writes, says so once in the log, and the health check sees it', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const log = recordingLogger();
    const rt = new ActorRuntime({ dbPath: tmp.db, logger: log, pollIntervalMs: 50 });
    t.after(() => rt.stop(100));
    rt.register(Counter);
    await rt.start();
    const health = await createHealthServer({ port: 0, runtime: rt });
    t.after(() => health.close());
    assert.equal(await call(rt, 'before'), 1);

    for (const suffix of ['', '-wal', '-shm']) rmSync(tmp.db + suffix, { force: true });
    for (const key of ['after-1', 'after-2']) {
      await assert.rejects(call(rt, key), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'LOOM_STORE');
        assert.ok(err.message.includes(tmp.db), err.message);
        assert.match(err.message, /was deleted while this worker had it open/);
        assert.doesNotMatch(err.message, /Nothing was enqueued; retry|once the store is reachable/);
        return true;
      });
    }
    assert.equal(log.errors.filter((m) => m.startsWith('the SQLite store file')).length, 1, 'logged once, loudly');
    const report = (await (await fetch(`${health.url}/health`)).json()) as { status: string; store: { reachable: boolean; error?: string } };
    assert.equal(report.status, 'degraded');
    assert.equal(report.store.reachable, false);
    assert.match(report.store.error ?? '', /was deleted/);
  });

  it('that is a directory is named as one at start', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    mkdirSync(tmp.db);
    const rt = new ActorRuntime({ dbPath: tmp.db });
    await assert.rejects(rt.start(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LOOM_STORE');
      assert.ok(err.message.includes(tmp.db), err.message);
      assert.match(err.message, /is a directory, not a file/);
      return true;
    });
    await rt.stop();
  });

  it('that is corrupt or another kind of file is named as not a SQLite database at start', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    writeFileSync(tmp.db, 'these bytes are not a SQLite database '.repeat(200));
    const rt = new ActorRuntime({ dbPath: tmp.db });
    await assert.rejects(rt.start(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LOOM_STORE');
      assert.ok(err.message.includes(tmp.db), err.message);
      assert.match(err.message, /is not a SQLite database \(the file is corrupt or in another format\)/);
      return true;
    });
    await rt.stop();
  });

  it('that is read-only fails the start with the path and that it is read-only, rather than every write later', async (t) => {
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const made = new SqliteStore({ path: tmp.db });
    await made.init();
    await made.close();
    // The folder stays writable: SQLite then opens the file, reads it and begins transactions; only a write fails.
    chmodSync(tmp.dir, 0o777);
    chmodSync(tmp.db, 0o444);
    for (const suffix of ['-wal', '-shm']) rmSync(tmp.db + suffix, { force: true });
    const fixture = fileURLToPath(new URL('./fixtures/open-sqlite.ts', import.meta.url));
    // Root may write any file: the store is opened by another user then.
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, tmp.db], { ...asOther, encoding: 'utf8', cwd: join(fixture, '../../../..') });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { opened: boolean; code?: string; message?: string };
    assert.equal(out.opened, false, 'a read-only file does not start');
    assert.equal(out.code, 'LOOM_STORE');
    assert.ok(out.message?.includes(tmp.db), out.message);
    assert.match(out.message ?? '', /it is read-only/);
  });

  it('that turns read-only while the worker runs is reported as such, not as an outage to wait out', () => {
    const err = transactionError('/data/loom.db', 'commit', Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }), true);
    assert.equal(err.code, 'LOOM_STORE');
    assert.match(err.message, /\/data\/loom\.db: the file is read-only \(SQLITE_READONLY\)\. This does not pass by itself/);
  });
});
