import type { WaitingReason } from './types.js';

/** A duration as the largest one or two units, e.g. `1h 5m`, `34s`, `250ms`. */
export function humanDuration(ms: number): string {
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)}ms`;
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = a;
  for (const [u, size] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${u}`);
      rest %= size;
    } else if (parts.length > 0) break;
  }
  return parts.join(' ');
}

/** The first 8 characters of a UUID, keeping a call suffix (`…:c2`) that tells a callee from its caller. */
const short = (id: string): string => {
  const cut = id.indexOf(':');
  const head = cut < 0 ? id : id.slice(0, cut);
  return (head.length > 13 ? `${head.slice(0, 8)}…` : head) + (cut < 0 ? '' : id.slice(cut));
};

/** One line saying why an invocation waits, for tables and logs; `now` on the store's clock. */
export function describeWaiting(w: WaitingReason, now: number): string {
  const inFuture = (at: number) => (at > now ? `in ${humanDuration(at - now)}` : 'due now');
  switch (w.kind) {
    case 'running':
      return `running (partition ${w.partition} on ${w.owner})`;
    case 'queued':
      return `queued ${w.position} of ${w.of} behind ${short(w.head.id)} (${w.head.method})`;
    case 'backing-off':
      return `backing off after attempt ${w.attempt}, next try ${inFuture(w.until)}${w.lastError ? `: ${w.lastError.message}` : ''}`;
    case 'sleeping':
      return `sleeping until ${new Date(w.until).toISOString()} (${inFuture(w.until)})`;
    case 'delayed':
      return `delayed until ${new Date(w.until).toISOString()} (${inFuture(w.until)})`;
    case 'awaiting-promise':
      return `awaiting promise ${w.promiseId}`;
    case 'awaiting-call':
      return w.callee
        ? `awaiting call ${w.callee.actorType}/${w.callee.actorId}.${w.callee.method} (${short(w.callee.id)}, ${w.callee.status})`
        : `awaiting call ${w.promiseId} (callee not in the store)`;
    case 'no-owner':
      return `no worker holds partition ${w.partition}: start one`;
    case 'unknown-type':
      return `no worker registers actor type ${w.actorType}`;
  }
}
