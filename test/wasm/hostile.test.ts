// Hostile guests, 100 runs of each, while well-behaved calls keep flowing through the
// same pool: every hostile call fails with its stable kind, no normal call fails or
// gets a wrong answer, and the host process stays up with bounded memory.
import { test, after } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import assert from 'node:assert/strict';
import { WasmActorRuntime, WasmError, WorkerPool } from '../../src/wasm/index.js';
import { OWN_MEMORY, ensureBuilt, fixture } from './modules.js';

const RUNS = Number(process.env['LOOM_HOSTILE_RUNS'] ?? 100);
const DEADLINE_MS = 250;
const MEMORY_CAP = 16 * 1024 * 1024;
const MiB = 1024 * 1024;

test('hostile guests fail alone, with stable codes, and never take normal traffic down', { timeout: 600_000 }, async () => {
  await ensureBuilt();
  const pool = new WorkerPool(3);
  after(() => pool.close());
  const limits = { timeoutMs: DEADLINE_MS, memoryBytes: MEMORY_CAP, maxOutputBytes: 256 * 1024 };
  const looping = new WasmActorRuntime(fixture('hostile'), limits, { pool, name: 'looping' });
  // The other hostile guests get a deadline they cannot reach on a loaded machine, so each fails by its own limit.
  const hostile = new WasmActorRuntime(fixture('hostile'), { ...limits, timeoutMs: 30_000 }, { pool, name: 'hostile' });
  const normal = new WasmActorRuntime(fixture('hostile'), { timeoutMs: 5_000 }, { pool, name: 'normal' });
  await normal.execute('echo', { warm: true });

  // Normal traffic: echo calls with distinct payloads, checked one by one, until the hostile runs finish.
  let stop = false;
  let normalOk = 0;
  const collateral: string[] = [];
  const traffic = (async () => {
    for (let i = 0; !stop; i++) {
      const input = { i, text: `call ${i}`, list: [i, i * 2] };
      try {
        const out = await normal.execute('echo', input);
        if (JSON.stringify(out) === JSON.stringify(input)) normalOk++;
        else collateral.push(`call ${i}: wrong output ${JSON.stringify(out)}`);
      } catch (err) {
        collateral.push(`call ${i}: ${(err as Error).message}`);
      }
    }
  })();

  // The kill is a host timer: when the host's own event loop runs late (a loaded machine), so does the kill.
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  let peakRss = 0;
  const sampler = setInterval(() => void (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
  const rssGrowth: Record<string, number> = {};
  after(() => clearInterval(sampler));

  const cases: { name: string; kind: string; run: () => Promise<unknown>; pattern: RegExp }[] = [
    { name: 'unbounded memory growth', kind: 'resource_limit', run: () => hostile.execute('grow', {}), pattern: /out of memory at its cap/ },
    { name: 'infinite loop', kind: 'timeout', run: () => looping.execute('loop', {}), pattern: /deadline of 250 ms/ },
    { name: 'unbounded recursion', kind: 'resource_limit', run: () => hostile.execute('recurse', { from: 0 }), pattern: /exhausted its stack/ },
    { name: 'huge output', kind: 'resource_limit', run: () => hostile.execute('huge', { bytes: MiB }), pattern: /over the limit of 262144/ },
    { name: 'trap', kind: 'trap', run: () => hostile.execute('trap', {}), pattern: /unreachable/ },
    { name: 'output that is not JSON', kind: 'bad_output', run: () => hostile.execute('garbage', {}), pattern: /not valid JSON/ },
    { name: 'undeclared import', kind: 'bad_module', run: async () => new WasmActorRuntime(fixture('undeclared'), limits, { pool }), pattern: /wasi_snapshot_preview1\.fd_write/ },
    { name: 'own memory', kind: 'bad_module', run: async () => new WasmActorRuntime(OWN_MEMORY, limits, { pool }), pattern: /defines its own memory/ },
  ];
  const loopTimes: number[] = [];
  try {
  for (const c of cases) {
    // Two hostile calls at a time, so kills and replacements overlap with each other and with normal calls.
    const one = async (): Promise<void> => {
      const err = await c.run().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof WasmError, `${c.name}: expected a WasmError, got ${String(err)}`);
      assert.equal(err.kind, c.kind, `${c.name}: ${err.message}`);
      assert.match(err.message, c.pattern, c.name);
      if (c.kind === 'timeout') loopTimes.push(err.elapsedMs!);
    };
    // Each phase starts with every worker up, so replacements still booting from the last one are not counted.
    while (pool.started < pool.size) await new Promise((r) => setTimeout(r, 10));
    const before = process.memoryUsage().rss;
    peakRss = before;
    for (let i = 0; i < RUNS; i += 2) await Promise.all([one(), one()]);
    rssGrowth[c.name] = Math.max(0, peakRss - before);
    console.log(`${c.name}: ${RUNS} runs done`);
  }
  } finally {
    stop = true;
    await traffic;
  }
  clearInterval(sampler);

  assert.deepEqual(collateral, [], 'no normal call failed or got a wrong answer');
  assert.ok(normalOk > 0);
  assert.equal(loopTimes.length, RUNS);
  lag.disable();
  const worst = Math.max(...loopTimes);
  const hostLagMs = lag.max / 1e6;
  assert.ok(
    worst <= DEADLINE_MS * 1.2 + hostLagMs,
    `every loop was killed within deadline + 20 % (+ the host's own worst event-loop delay, ${hostLagMs.toFixed(1)} ms); worst ${worst.toFixed(1)} ms`,
  );
  // Two memory hogs run at once, each capped: the host holds at most two capped memories plus slack. The
  // slack is the whole process's (worker threads replaced after each kill, the normal traffic's heap), which
  // measured up to 71 MiB with another test file running beside this one: 64 MiB of slack, never unbounded.
  const growth = rssGrowth['unbounded memory growth']!;
  assert.ok(growth <= 2 * MEMORY_CAP + 64 * MiB, `host RSS grew ${(growth / MiB).toFixed(1)} MiB under two concurrent memory hogs, within 2 × cap + 64 MiB`);
  console.log(
    `hostile: ${normalOk} normal calls ok, 0 collateral; loop killed after ${Math.min(...loopTimes).toFixed(1)}–${worst.toFixed(1)} ms ` +
      `(deadline ${DEADLINE_MS}, host event-loop delay max ${hostLagMs.toFixed(1)} ms); peak RSS growth per phase (MiB): ${Object.entries(rssGrowth).map(([k, v]) => `${k} +${(v / MiB).toFixed(1)}`).join(', ')} (cap ${MEMORY_CAP / MiB} MiB)`,
  );
});
