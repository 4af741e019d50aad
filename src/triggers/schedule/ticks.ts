import { Cron } from 'croner';

/** When a schedule ticks: a cron expression (5 or 6 fields, optional timezone) or a fixed interval aligned to the epoch. */
export type Timing = { cron: string; timezone?: string } | { everyMs: number };

/** Tick times as epoch ms, computed the same way on every worker. */
export interface Ticker {
  /** Ticks in (after, upTo], oldest first, at most `limit`. */
  between(after: number, upTo: number, limit: number): number[];
  /** The last `n` ticks at or before `upTo`, oldest first. */
  last(n: number, upTo: number): number[];
}

/** Throws croner's error for a bad cron expression or timezone. */
export function tickerFor(t: Timing): Ticker {
  if ('everyMs' in t) {
    const every = t.everyMs;
    return {
      between(after, upTo, limit) {
        const out: number[] = [];
        for (let x = Math.floor(after / every) * every + every; x <= upTo && out.length < limit; x += every) out.push(x);
        return out;
      },
      last(n, upTo) {
        const top = Math.floor(upTo / every) * every;
        const out: number[] = [];
        for (let i = n - 1; i >= 0; i--) out.push(top - i * every);
        return out;
      },
    };
  }
  const cron = new Cron(t.cron, { paused: true, ...(t.timezone ? { timezone: t.timezone } : {}) });
  cron.nextRun(); // surfaces a bad timezone now rather than at the first tick
  return {
    between(after, upTo, limit) {
      const out: number[] = [];
      let d = cron.nextRun(new Date(after));
      while (d && d.getTime() <= upTo && out.length < limit) {
        out.push(d.getTime());
        d = cron.nextRun(d);
      }
      return out;
    },
    last(n, upTo) {
      return cron.previousRuns(n, new Date(upTo + 1)).map((d) => d.getTime()).reverse();
    },
  };
}
