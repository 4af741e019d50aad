import { describe, it } from 'node:test';

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
