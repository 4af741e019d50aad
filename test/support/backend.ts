import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../src/core/errors.js';

/**
 * Declares what stands in for a suite whose backend is unreachable: a failing
 * test in CI (a missing service is a broken pipeline, never a silently skipped
 * backend), a skipped one with the reason elsewhere.
 */
export function backendUnavailable(suite: string, backend: string, reason: string, envVar: string): void {
  describe(suite, () => {
    if (process.env.CI === 'true') {
      it(`needs a reachable ${backend} in CI`, () => {
        throw new Error(`${reason}: start ${backend} (bash scripts/services.sh) or set ${envVar}`);
      });
    } else {
      it(`runs against ${backend}`, { skip: `${reason}; start ${backend} to run these tests` }, () => {});
    }
  });
}

/**
 * Asserts that `attempt` rejects with a StoreError that names where it tried
 * (`where`), says what to check (`advice`) and leaks no password (`secret`).
 */
export async function assertUnreachableError(attempt: Promise<unknown>, expected: { where: RegExp; advice: RegExp; secret?: string }): Promise<void> {
  await assert.rejects(attempt, (err: unknown) => {
    assert.ok(err instanceof StoreError, String(err));
    assert.equal(err.code, 'LOOM_STORE');
    assert.match(err.message, expected.where);
    assert.match(err.message, expected.advice);
    if (expected.secret) assert.ok(!err.message.includes(expected.secret), `the message shows the password: ${err.message}`);
    return true;
  });
}
