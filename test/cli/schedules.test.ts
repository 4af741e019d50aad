import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { ScheduleAdmin, createScheduleTrigger } from '../../src/triggers/index.js';
import { tempDir } from '../support/runtime.js';

const loom = (db: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'schedules', 'test/cli/worker-module.ts', ...args], { env: { ...process.env, LOOM_TEST_DB: db }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
};

it('loom schedules lists, pauses, resumes and deletes the schedules of a worker module’s store', { timeout: 60_000 }, async () => {
  const tmp = tempDir();
  try {
    const store = new SqliteStore({ path: tmp.db });
    await store.init();
    const admin = new ScheduleAdmin(async () => store.schedules, () => store.now());
    await admin.put(createScheduleTrigger({ id: 'nightly-report', cron: '0 2 * * *', timezone: 'Europe/Paris', actorType: 'Slow', actorId: 's1', method: 'work', args: [1] }));
    await store.close();

    const list = loom(tmp.db);
    assert.equal(list.code, 0, list.out);
    assert.match(list.out, /^ID\s+WHEN\s+TARGET\s+STATE/m);
    assert.match(list.out, /nightly-report\s+cron 0 2 \* \* \* Europe\/Paris\s+Slow\/s1\.work\s+active\s+latest/);

    const paused = loom(tmp.db, 'pause', 'nightly-report', '-o', 'json');
    assert.equal(paused.code, 0, paused.out);
    assert.equal((JSON.parse(paused.out) as { paused: boolean }[])[0]!.paused, true);
    assert.match(loom(tmp.db, 'resume', 'nightly-report').out, /active/);

    const missing = loom(tmp.db, 'pause', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.out, /there is no schedule "nope"/);
    assert.equal(loom(tmp.db, 'frobnicate').code, 2);

    assert.match(loom(tmp.db, 'delete', 'nightly-report').out, /deleted nightly-report/);
    assert.match(loom(tmp.db).out, /no schedules/);
  } finally {
    tmp.cleanup();
  }
});
