import { SecretUnavailableError } from './errors.js';
import { timerDelay } from '../core/timers.js';

interface Entry {
  value?: string;
  fetchedAt: number;
  lastUsed: number;
  inflight?: Promise<string>;
  lastError?: unknown;
}

export interface SecretCacheOptions {
  ttlMs: number;
  maxAgeMs: number;
  refreshIntervalMs: number;
  now: () => number;
  fetch: (raw: string) => Promise<string>;
}

/**
 * The cache behind SecretResolver: fresh values synchronously, stale ones while
 * a refresh runs, the last good value through an outage until its max age.
 * A background timer refreshes the values read recently.
 */
export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: SecretCacheOptions) {}

  /** The value (a string when fresh or still servable), or a promise of it. */
  get(raw: string): string | Promise<string> {
    const now = this.o.now();
    let e = this.entries.get(raw);
    if (!e) {
      e = { fetchedAt: 0, lastUsed: now };
      this.entries.set(raw, e);
    }
    e.lastUsed = now;
    const age = now - e.fetchedAt;
    if (e.value !== undefined && age < this.o.ttlMs) return e.value;
    if (e.value !== undefined && age < this.o.maxAgeMs) {
      void this.refresh(raw, e).catch(() => {}); // stale: serve it, refresh behind
      return e.value;
    }
    return this.refresh(raw, e).catch((err: unknown) => {
      if (e.value !== undefined && this.o.now() - e.fetchedAt < this.o.maxAgeMs) return e.value;
      throw e.value === undefined || !(err instanceof SecretUnavailableError) ? err : this.tooOld(raw, err);
    });
  }

  private tooOld(raw: string, err: SecretUnavailableError): SecretUnavailableError {
    return new SecretUnavailableError(raw, `${err.message}; the last good value is older than its max age of ${this.o.maxAgeMs} ms and is no longer served`, {
      cause: err.cause,
    });
  }

  private refresh(raw: string, e: Entry): Promise<string> {
    e.inflight ??= this.o.fetch(raw).then(
      (value) => {
        e.value = value;
        e.fetchedAt = this.o.now();
        e.inflight = undefined;
        e.lastError = undefined;
        this.schedule();
        return value;
      },
      (err: unknown) => {
        e.inflight = undefined;
        e.lastError = err;
        throw err;
      },
    );
    return e.inflight;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.refreshInUse(), timerDelay(this.o.refreshIntervalMs));
    this.timer.unref();
  }

  // Only values read within the last two TTLs are refreshed: a stopped runtime's secrets stop being fetched.
  private refreshInUse(): void {
    const now = this.o.now();
    for (const [raw, e] of this.entries) {
      if (now - e.lastUsed > this.o.maxAgeMs) this.entries.delete(raw); // unused: forget it
      else if (now - e.lastUsed < this.o.ttlMs * 2 && now - e.fetchedAt >= this.o.ttlMs * 0.8) void this.refresh(raw, e).catch(() => {});
    }
  }

  /** Stops the background refresh. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
