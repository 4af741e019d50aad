// JL: the journal-length sweep. One invocation per length (default 10, 100, 1,000 and 3,000
// steps) of `Journal.run`, a durable step at a time with a durable sleep after every 10th,
// each on its own actor id, one after another. The cost per step should not grow with length.
import { performance } from 'node:perf_hooks';
import type { ActorRuntime } from '../../src/index.js';
import { check, round } from '../measure.js';
import { log, withRuntime, type RunConfig, type Fields } from '../harness.js';

export interface JournalConfig extends RunConfig {
  /** Steps of each measured invocation. */
  lengths: number[];
  /** A sleep after every `sleepEvery` steps. */
  sleepEvery: number;
  sleepMs: number;
}

export const DEFAULT_LENGTHS = [10, 100, 1000, 3000];

async function runJournal(runtime: ActorRuntime, id: string, steps: number, cfg: JournalConfig): Promise<void> {
  const got = await runtime.call<number>({ actorType: 'Journal', actorId: id, method: 'run', args: [steps, cfg.sleepEvery, cfg.sleepMs] });
  const expected = (steps * (steps - 1)) / 2;
  check(got === expected, () => `Journal ${id}.run(${steps}) returned ${String(got)}, expected ${expected}`);
}

export async function jl(cfg: JournalConfig): Promise<Fields> {
  return withRuntime(cfg.backend, {}, async (runtime) => {
    // Warmup: invocations of 100 steps (with their sleeps) until `warmup` steps have run.
    for (let i = 0; i * 100 < cfg.warmup; i++) await runJournal(runtime, `warm-${i}`, 100, cfg);
    log(`warmup ${cfg.warmup} steps done; one invocation of each of ${cfg.lengths.join(', ')} steps, a ${cfg.sleepMs} ms sleep every ${cfg.sleepEvery}`);
    const fields: Fields = { sleep_every: cfg.sleepEvery, sleep_ms: cfg.sleepMs };
    const rows: string[] = [];
    for (const steps of cfg.lengths) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await runJournal(runtime, `jl-${steps}`, steps, cfg);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      fields[`ms_${steps}`] = round(ms, 1);
      fields[`us_per_step_${steps}`] = round((ms * 1000) / steps, 1);
      fields[`cpu_us_per_step_${steps}`] = round((cpuMs * 1000) / steps, 1);
      rows.push(`${String(steps).padStart(6)} steps: ${ms.toFixed(1).padStart(9)} ms, ${((ms * 1000) / steps).toFixed(1).padStart(8)} µs/step, CPU ${((cpuMs * 1000) / steps).toFixed(1).padStart(8)} µs/step`);
    }
    for (const id of cfg.lengths.map((s) => `jl-${s}`)) {
      const st = await runtime.getState<{ runs: number }>('Journal', id);
      check(st?.runs === 1, `Journal ${id} has state ${JSON.stringify(st)}, expected { runs: 1 }`);
    }
    log(`JL ${cfg.backend.name}:\n${rows.join('\n')}`);
    return fields;
  });
}
