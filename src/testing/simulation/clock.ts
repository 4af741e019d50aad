import type * as FakeTimers from '@sinonjs/fake-timers';
import type { Clock as InstalledClock } from '@sinonjs/fake-timers';
import { ConfigError } from '../../core/errors.js';

/**
 * The virtual clock: `Date`, `performance.now` and the timer functions of this
 * process run on it while a simulation is open, so `sleep('1d')`, delayed sends,
 * backoffs and timeouts complete when the simulation advances time, not when the
 * wall clock does. One simulation at a time per process.
 */
export async function installClock(start: number): Promise<InstalledClock> {
  let fakeTimers: typeof FakeTimers;
  try {
    fakeTimers = await import('@sinonjs/fake-timers');
  } catch (cause) {
    throw new ConfigError('the simulation needs @sinonjs/fake-timers for its virtual clock: npm install -D @sinonjs/fake-timers', { cause });
  }
  if (active) throw new ConfigError('a simulation is already open in this process: dispose() it before creating another');
  active = true;
  try {
    return fakeTimers.withGlobal(globalThis).install({
      now: start,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'performance'],
      loopLimit: 1_000_000,
    });
  } catch (err) {
    active = false;
    throw err;
  }
}

let active = false;

/** Puts the real clock back. */
export function uninstallClock(clock: InstalledClock): void {
  clock.uninstall();
  active = false;
}
