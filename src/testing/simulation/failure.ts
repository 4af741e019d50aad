import type { Simulation } from './simulation.js';

/** How many trace lines a failure shows (the last ones). */
const TRACE_TAIL = 40;

/**
 * A simulation found a bug. Its message names the seed (`LOOM_SEED=<n>`
 * reproduces the run exactly), the crash point when there was one, what failed,
 * and the end of the run's trace.
 */
export class SimulationFailure extends Error {
  override readonly name = 'SimulationFailure';
  readonly code = 'LOOM_SIMULATION';
  readonly seed: number;

  constructor(sim: Simulation, what: string, cause?: unknown) {
    const crash = sim.record.crash;
    const trace = sim.trace.slice(-TRACE_TAIL).map((l) => `  +${(l.at / 1000).toFixed(3)}s ${l.text}`).join('\n');
    super(
      `${what}\n` +
        `seed: ${sim.seed} (reproduce with LOOM_SEED=${sim.seed})\n` +
        (crash ? `crash point: the process was killed at durable write ${crash.index} (${crash.method}): ${crash.describe}\n` : '') +
        `trace (last ${Math.min(TRACE_TAIL, sim.trace.length)} of ${sim.trace.length} lines):\n${trace}`,
      cause === undefined ? undefined : { cause },
    );
    this.seed = sim.seed;
  }
}
