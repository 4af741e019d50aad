import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dueTicks, tickKey } from './fire.js';
import { tickerFor } from './ticks.js';
import { createScheduleTrigger } from './trigger.js';

const S = 1000;
const spec = (catchUp: 'none' | 'latest' | 'all', maxCatchUp = 100) =>
  createScheduleTrigger({ every: '1s', actorId: 'r-1', catchUp, maxCatchUp, lateAfter: 1500 }).spec;
const every = tickerFor({ everyMs: S });

describe('dueTicks', () => {
  it('fires the ticks since the cursor when none is late', () => {
    assert.deepEqual(dueTicks(spec('none'), every, 100 * S, 102 * S + 300), { fire: [101 * S, 102 * S] });
    assert.deepEqual(dueTicks(spec('none'), every, 102 * S, 102 * S + 999), { fire: [] });
  });

  it('after a 10-tick outage: none skips the missed ticks, latest runs the last of them, all runs them all', () => {
    const cursor = 100 * S;
    const now = 111 * S + 400; // late: up to 109.9 s; on time: 110 s, 111 s
    assert.deepEqual(dueTicks(spec('none'), every, cursor, now), { fire: [110 * S, 111 * S] });
    assert.deepEqual(dueTicks(spec('latest'), every, cursor, now), { fire: [109 * S, 110 * S, 111 * S] });
    assert.deepEqual(dueTicks(spec('all'), every, cursor, now).fire, Array.from({ length: 11 }, (_, i) => (101 + i) * S));
    assert.deepEqual(dueTicks(spec('all', 3), every, cursor, now).fire, [107 * S, 108 * S, 109 * S, 110 * S, 111 * S]);
  });

  it('with nothing on time, none moves the cursor past the missed ticks', () => {
    const daily = createScheduleTrigger({ cron: '0 2 * * *', actorId: 'r-1', catchUp: 'none' }).spec;
    const t = tickerFor(daily.timing);
    const cursor = Date.parse('2026-01-01T01:00:00Z');
    const now = Date.parse('2026-01-01T05:00:00Z');
    assert.deepEqual(dueTicks(daily, t, cursor, now), { fire: [], skipTo: Date.parse('2026-01-01T02:00:00Z') });
    assert.deepEqual(dueTicks({ ...daily, catchUp: 'latest' }, t, cursor, now), { fire: [Date.parse('2026-01-01T02:00:00Z')] });
  });

  it('follows a cron expression in its timezone', () => {
    const ny = createScheduleTrigger({ cron: '0 9 * * *', timezone: 'America/New_York', actorId: 'r-1' }).spec;
    assert.deepEqual(tickerFor(ny.timing).between(Date.parse('2026-07-01T00:00:00Z'), Date.parse('2026-07-02T23:00:00Z'), 10), [
      Date.parse('2026-07-01T13:00:00Z'),
      Date.parse('2026-07-02T13:00:00Z'),
    ]);
  });

  it('names each tick the same way on every worker', () => {
    assert.equal(tickKey('nightly', Date.parse('2026-01-01T02:00:00Z')), 'schedule:nightly:2026-01-01T02:00:00.000Z');
  });
});

describe('createScheduleTrigger', () => {
  it('refuses bad definitions with the fix', () => {
    assert.throws(() => createScheduleTrigger({ actorId: 'r' }), /exactly one of cron/);
    assert.throws(() => createScheduleTrigger({ cron: 'nope', actorId: 'r' }), /five, six, or seven/);
    assert.throws(() => createScheduleTrigger({ cron: '* * * * *', timezone: 'Mars/Base', actorId: 'r' }), /timezone/);
    assert.throws(() => createScheduleTrigger({ every: '10ms', actorId: 'r' }), /at least 1s/);
    assert.throws(() => createScheduleTrigger({ cron: '* * * * *', actorId: '' }), /actorId/);
    assert.throws(() => createScheduleTrigger({ cron: '* * * * *', actorId: 'r', catchUp: 'some' as never }), /catchUp/);
    assert.throws(() => createScheduleTrigger({ cron: '* * * * *', actorId: 'r', maxCatchUp: 0 }), /maxCatchUp/);
  });

  it('takes the README form and names it after its target', () => {
    const t = createScheduleTrigger({ cron: '0 */6 * * *', actorId: 'report-generator' });
    assert.equal(t.id, 'report-generator.default');
    assert.equal(t.spec.catchUp, 'latest');
  });
});
