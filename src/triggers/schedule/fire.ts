import type { ActorRuntime, BodyMessage, CallMessage } from '../../runtime/actor-runtime.js';
import type { ScheduleCursor, ScheduleRecord, ScheduleStore } from '../../ports/schedules.js';
import { tickerFor, type Ticker } from './ticks.js';
import type { ScheduleSpec } from './trigger.js';

/** The idempotency key of one tick: the same on every worker, so a tick enqueued twice runs once. */
export const tickKey = (scheduleId: string, tick: number): string => `schedule:${scheduleId}:${new Date(tick).toISOString()}`;

/** The ticks to fire now, oldest first, and where the cursor goes when none is due (missed ticks skipped). */
export function dueTicks(spec: ScheduleSpec, ticker: Ticker, cursor: number, now: number): { fire: number[]; skipTo?: number } {
  const lateBefore = now - spec.lateAfterMs;
  const onTime = ticker.between(Math.max(cursor, lateBefore), now, 10_000);
  if (cursor >= lateBefore) return { fire: onTime };
  // 'latest' runs one missed tick, the most recent, as the catch-up for the whole outage.
  const missed = spec.catchUp === 'none' ? [] : ticker.last(spec.catchUp === 'all' ? spec.maxCatchUp : 1, lateBefore).filter((t) => t > cursor);
  const fire = [...missed, ...onTime];
  if (fire.length > 0) return { fire };
  const last = ticker.last(1, lateBefore)[0];
  return last !== undefined && last > cursor ? { fire, skipTo: last } : { fire };
}

/**
 * Fires the due ticks of one schedule. The cursor only moves by compare-and-set:
 * first to (tick, not enqueued), then the message, then (tick, enqueued). A
 * worker that loses a compare-and-set stops at once; one that stopped between
 * the two finds the tick marked not enqueued and enqueues it again, which the
 * tick's idempotency key makes harmless.
 */
export async function fireDue(runtime: ActorRuntime, port: ScheduleStore, rec: ScheduleRecord, now: number, tickers: Map<string, Ticker>): Promise<number> {
  const spec = JSON.parse(rec.specJson) as ScheduleSpec;
  let ticker = tickers.get(rec.specJson);
  if (!ticker) tickers.set(rec.specJson, (ticker = tickerFor(spec.timing)));
  let cur: ScheduleCursor = rec.cursor;
  let fired = 0;
  if (!cur.enqueued) {
    await enqueueTick(runtime, rec.id, spec, cur.tick);
    const done = { tick: cur.tick, enqueued: true };
    if (!(await port.advance(rec.id, cur, done))) return fired;
    cur = done;
  }
  const { fire, skipTo } = dueTicks(spec, ticker, cur.tick, now);
  if (skipTo !== undefined) await port.advance(rec.id, cur, { tick: skipTo, enqueued: true });
  for (const tick of fire) {
    const claimed = { tick, enqueued: false };
    if (!(await port.advance(rec.id, cur, claimed))) return fired;
    await enqueueTick(runtime, rec.id, spec, tick);
    const done = { tick, enqueued: true };
    if (!(await port.advance(rec.id, claimed, done))) return fired;
    cur = done;
    fired++;
  }
  return fired;
}

async function enqueueTick(runtime: ActorRuntime, id: string, spec: ScheduleSpec, tick: number): Promise<void> {
  const iso = new Date(tick).toISOString();
  const common = { actorId: spec.actorId, idempotencyKey: tickKey(id, tick), headers: { 'loom-schedule': id, 'loom-tick': iso } };
  const args = spec.args ?? [{ scheduleId: id, tick: iso }];
  const msg: CallMessage | BodyMessage =
    args.length === 1
      ? { ...common, body: args[0], ...(spec.actorType ? { actorType: spec.actorType } : {}), ...(spec.method ? { method: spec.method } : {}) }
      : { ...common, actorType: spec.actorType!, method: spec.method!, args };
  await runtime.send(msg);
}
