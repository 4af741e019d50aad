import type { ServerResponse } from 'node:http';
import { timerDelay } from '../core/timers.js';

/** A view the hub can keep fresh: a cheap probe run every tick, and a load run when the probe changed. */
export interface LiveView {
  /** One store query whose answer changes whenever the view would. Without it, `load` is the probe. */
  probe?: () => Promise<string>;
  load: () => Promise<unknown>;
  /** How often to probe, ms. Default 1000. */
  intervalMs?: number;
  /** Load even when the probe did not change, at least this often (for what the probe cannot see, like a lease expiring). */
  refreshEveryMs?: number;
}

interface Channel {
  view: LiveView;
  clients: Set<ServerResponse>;
  timer: NodeJS.Timeout | undefined;
  lastProbe: string | undefined;
  lastJson: string | undefined;
  loadedAt: number;
  /** Store queries the last load made: a forced refresh waits long enough to amortize them. */
  loadCost: number;
}

/** A forced refresh costs the store at most this many queries a second, averaged. */
const REFRESH_BUDGET_PER_S = 0.25;

/**
 * Server-sent events for open views. Every distinct view key is polled by one
 * timer however many browsers watch it, so the store sees at most one probe per
 * interval per open view; data is pushed only when it changed.
 */
export class LiveHub {
  private readonly channels = new Map<string, Channel>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly defaultIntervalMs = 1000, private readonly queries: () => number = () => 0) {
    this.heartbeat = setInterval(() => {
      for (const ch of this.channels.values()) for (const res of ch.clients) res.write(': keep-alive\n\n');
    }, 15_000);
    this.heartbeat.unref();
  }

  /** Number of views being polled now. */
  get openViews(): number {
    return this.channels.size;
  }

  subscribe(key: string, view: LiveView, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 1000\n\n');
    let ch = this.channels.get(key);
    if (!ch) {
      ch = { view, clients: new Set(), timer: undefined, lastProbe: undefined, lastJson: undefined, loadedAt: 0, loadCost: 0 };
      this.channels.set(key, ch);
      this.tick(key, ch);
    } else if (ch.lastJson !== undefined) {
      res.write(`event: update\ndata: ${ch.lastJson}\n\n`);
    }
    ch.clients.add(res);
    res.on('close', () => {
      ch.clients.delete(res);
      if (ch.clients.size === 0) {
        clearTimeout(ch.timer);
        this.channels.delete(key);
      }
    });
  }

  private tick(key: string, ch: Channel): void {
    const run = async (): Promise<void> => {
      try {
        const probe = ch.view.probe ? await ch.view.probe() : undefined;
        const every = ch.view.refreshEveryMs === undefined ? Infinity : Math.max(ch.view.refreshEveryMs, (ch.loadCost / REFRESH_BUDGET_PER_S) * 1000);
        const stale = Date.now() - ch.loadedAt >= every;
        if (probe !== undefined && probe === ch.lastProbe && ch.lastJson !== undefined && !stale) return;
        // Counted on the shared counter, so a load that overlaps another view's counts both: the wait errs long.
        const before = this.queries();
        const json = JSON.stringify(await ch.view.load());
        ch.loadCost = this.queries() - before;
        ch.loadedAt = Date.now();
        ch.lastProbe = probe;
        if (json === ch.lastJson) return;
        ch.lastJson = json;
        for (const res of ch.clients) res.write(`event: update\ndata: ${json}\n\n`);
      } catch (err) {
        const data = JSON.stringify({ code: (err as { code?: string }).code ?? 'LOOM_STUDIO_LIVE', message: (err as Error).message });
        for (const res of ch.clients) res.write(`event: failure\ndata: ${data}\n\n`);
      }
    };
    void run().finally(() => {
      if (this.channels.get(key) === ch) ch.timer = setTimeout(() => this.tick(key, ch), timerDelay(ch.view.intervalMs ?? this.defaultIntervalMs));
    });
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const ch of this.channels.values()) {
      clearTimeout(ch.timer);
      for (const res of ch.clients) res.end();
    }
    this.channels.clear();
  }
}
