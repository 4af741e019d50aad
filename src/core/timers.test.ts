import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { MAX_TIMER_MS, setLongTimeout, timerDelay } from './timers.js';
import { Deadlines } from './deadlines.js';

const DAY = 86_400_000;

/**
 * Runs `body` on a virtual clock. Like Node, the fake timers cut a delay past
 * 2^31 − 1 ms to 1 ms, so a timer that does not split a long wait fires (or
 * re-arms) every virtual millisecond and trips the loop limit instead of passing.
 */
async function onVirtualClock(body: (clock: ReturnType<typeof FakeTimers.install>) => void | Promise<void>): Promise<void> {
  const clock = FakeTimers.install({ now: Date.UTC(2026, 0, 1), toFake: ['Date', 'setTimeout', 'clearTimeout', 'performance'], loopLimit: 1000 });
  try {
    await body(clock);
  } finally {
    clock.uninstall();
  }
}

describe('long timers', () => {
  it('timerDelay keeps a delay setTimeout takes as given and cuts the rest to what it takes', () => {
    assert.equal(timerDelay(1500), 1500);
    assert.equal(timerDelay(MAX_TIMER_MS), MAX_TIMER_MS);
    assert.equal(timerDelay(30 * DAY), MAX_TIMER_MS);
    assert.equal(timerDelay(Infinity), MAX_TIMER_MS);
    assert.equal(timerDelay(-5), 0);
    assert.equal(timerDelay(Number.NaN), 0);
  });

  it('setLongTimeout fires a 40-day timer once, when 40 days have passed and not before, after two wake-ups', () =>
    onVirtualClock((clock) => {
      const start = clock.now;
      let fired = 0;
      setLongTimeout(() => fired++, 40 * DAY);
      clock.next();
      assert.equal(clock.now - start, MAX_TIMER_MS, 'the first wake-up is at the longest delay a timer takes');
      assert.equal(fired, 0, 'fired early');
      clock.next();
      assert.equal(clock.now - start, 40 * DAY);
      assert.equal(fired, 1);
      assert.equal(clock.countTimers(), 0, 'nothing is left armed');
    }));

  it('a cleared long timer never fires, whether cleared before its first chunk ends or after', () =>
    onVirtualClock((clock) => {
      let fired = 0;
      setLongTimeout(() => fired++, 40 * DAY).clear();
      const later = setLongTimeout(() => fired++, 40 * DAY);
      clock.tick(30 * DAY);
      later.clear();
      clock.tick(20 * DAY);
      assert.equal(fired, 0);
      assert.equal(clock.countTimers(), 0, 'a cleared timer leaves nothing armed');
    }));

  it('a short long-timer is one plain timer, and a negative or NaN delay fires at once', () =>
    onVirtualClock((clock) => {
      const fired: string[] = [];
      setLongTimeout(() => fired.push('short'), 10);
      setLongTimeout(() => fired.push('negative'), -1);
      setLongTimeout(() => fired.push('nan'), Number.NaN);
      clock.tick(0);
      assert.deepEqual(fired, ['negative', 'nan']);
      clock.tick(10);
      assert.deepEqual(fired, ['negative', 'nan', 'short']);
    }));

  it('a 40-day handler deadline fires after 40 days, waking twice, and the shorter ones beside it on time', () =>
    onVirtualClock((clock) => {
      const start = clock.now;
      const d = new Deadlines();
      const fired: string[] = [];
      d.add(40 * DAY, () => fired.push('40d'));
      d.add(1000, () => fired.push('1s'));
      clock.next();
      assert.deepEqual(fired, ['1s']);
      clock.next();
      assert.deepEqual(fired, ['1s'], 'the 40-day deadline fired early');
      assert.ok(clock.now - start >= MAX_TIMER_MS, `woke after ${clock.now - start} ms: a wait past the longest timer must not wake sooner`);
      clock.next();
      assert.equal(clock.now - start, 40 * DAY);
      assert.deepEqual(fired, ['1s', '40d']);
      assert.equal(d.size, 0);
    }));
});
