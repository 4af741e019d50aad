import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// The reproduction runs in its own process because the bug it guards against
// (an unhandled 'error' event on a checked-out pg client) kills the process.
it('survives PostgreSQL connections cut while a transaction holds a pooled client', { timeout: 180_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/cluster/pg-connection-cut.ts', 'repeatable-read'], {
    timeout: 170_000,
  });
  assert.match(stdout, /connections cut \d+ times\); no unhandled error/);
});
