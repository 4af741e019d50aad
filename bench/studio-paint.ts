// First paint of Loom Studio in Debian's chromium, from cold page loads: the browser's own
// paint entries (first paint, first contentful paint) and the moment the first row of the
// invocations list is in the DOM, all from the start of navigation. Used by bench/studio.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export interface PaintSample { fp: number; fcp: number; list: number; liveOpened: number; liveData: number; html: number; script: number; dcl: number; transferred: number; requests: number }

/** Records when the first list row appears, from before the page's own scripts run. */
const OBSERVE_ROWS = `(() => {
  const seen = () => { if (document.querySelector('tr[data-id]')) { window.__loomListAt = performance.now(); obs.disconnect(); } };
  const obs = new MutationObserver(seen);
  obs.observe(document, { childList: true, subtree: true });
  // When the page opened its live stream and when the list's first update arrived on it.
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url, init) {
      super(url, init);
      window.__loomLiveOpened ??= performance.now();
      this.addEventListener('update', () => { window.__loomLiveData ??= performance.now(); });
    }
  };
})()`;

const READ = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = Object.fromEntries(performance.getEntriesByType('paint').map((p) => [p.name, p.startTime]));
  const res = performance.getEntriesByType('resource');
  const transferred = nav.transferSize + res.reduce((n, r) => n + (r.name.includes('/api/live') ? 0 : r.transferSize), 0);
  return { fp: paint['first-paint'] ?? NaN, fcp: paint['first-contentful-paint'] ?? NaN, list: window.__loomListAt, liveOpened: window.__loomLiveOpened, liveData: window.__loomLiveData, script: res.find((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))?.responseEnd ?? NaN, html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, transferred, requests: res.length + 1 };
})()`;

/**
 * `runs` cold loads of `url` (the browser's cache disabled and cleared for each), one fresh page each.
 * `cpuSlowdown` > 1 has chromium run the page that many times slower (as on a loaded machine).
 */
export async function measurePaint(url: string, runs: number, cpuSlowdown = 1): Promise<PaintSample[]> {
  const profile = mkdtempSync(join(tmpdir(), 'loom-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.LOOM_TEST_CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const samples: PaintSample[] = [];
  try {
    await context.addInitScript(OBSERVE_ROWS);
    // One load first, not counted: chromium's own start-up (its first renderer) is not Studio's.
    for (let i = 0; i <= runs; i++) {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.clearBrowserCache');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      if (cpuSlowdown > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
      await page.goto(url);
      // The paint entries are queued when the frame is presented, a little after the row is in the DOM.
      await page.waitForFunction(`window.__loomListAt !== undefined && performance.getEntriesByName('first-contentful-paint').length > 0`, undefined, { timeout: 30_000 });
      const s = await page.evaluate<PaintSample>(READ);
      if (i > 0) samples.push(s);
      await page.close();
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return samples;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One line per measure: median and range, in ms. */
export function paintReport(samples: PaintSample[]): string[] {
  const line = (label: string, xs: number[]) => `${label}: median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  return [
    line('first paint', samples.map((s) => s.fp)),
    line('first contentful paint', samples.map((s) => s.fcp)),
    line('HTML received', samples.map((s) => s.html)),
    line('main script received', samples.map((s) => s.script)),
    line('DOM content loaded (the main script has run)', samples.map((s) => s.dcl)),
    line('live stream opened', samples.map((s) => s.liveOpened)),
    line('first update on it', samples.map((s) => s.liveData)),
    line('first list row', samples.map((s) => s.list)),
    `transferred before the list (HTML, scripts, styles, JSON; the live stream not counted): ${(median(samples.map((s) => s.transferred)) / 1024).toFixed(1)} KB in ${median(samples.map((s) => s.requests))} requests`,
  ];
}
