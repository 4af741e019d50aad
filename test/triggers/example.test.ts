// The order API example runs as a user runs it, against the built package (CI builds before testing).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

it('examples/order-api places orders once, answers retries from the store and fires the report', { timeout: 120_000 }, () => {
  if (!existsSync('dist/triggers/index.js')) {
    const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stdout + build.stderr);
  }
  const run = spawnSync(process.execPath, ['examples/order-api/main.js'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /→ 422 .*idempotency-key-reused/);
  assert.match(run.stdout, /report for tick .*: 2 orders, revenue 300/);
  assert.match(run.stdout, /^ok: /m);
});
