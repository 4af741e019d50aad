import type { DurableWrite } from './sim-store.js';
import { SimulationFailure } from './failure.js';
import type { Simulation } from './simulation.js';

/** What a run records for Loom's own invariants. */
export interface RunRecord {
  /** Step key (`<invocation>:<position>:<name>`) → the names it ran under, once per run of its function. */
  stepKeys: Map<string, string[]>;
  /** `<invocation>:<position>` of every step whose result was committed. */
  journaled: Set<string>;
  /** Invocation id → how many turns ended it. */
  terminal: Map<string, number>;
  crash: DurableWrite | undefined;
  /** Steps whose function ran although their result was already journaled. */
  rerunAfterJournal: string[];
}

/**
 * Loom's promises, checked after every simulated run: every accepted message
 * ended (or waits on a durable promise the test did not resolve); no invocation
 * ended twice, so no idempotency key was applied twice; a step whose result was
 * journaled never ran again; a step re-ran only under its own key.
 */
export async function checkLoomInvariants(sim: Simulation, run: RunRecord): Promise<void> {
  const open = (await sim.pending()).filter((p) => !p.waitingOn?.startsWith('promise:'));
  if (open.length) {
    throw new SimulationFailure(sim, `accepted messages neither finished nor dead-lettered: ${open.map((p) => `${p.actorType}/${p.actorId}.${p.method} (${p.id})`).join(', ')}`);
  }
  for (const [id, n] of run.terminal) {
    if (n > 1) throw new SimulationFailure(sim, `invocation ${id} was ended by ${n} committed turns: its message was applied more than once`);
  }
  for (const [key, names] of run.stepKeys) {
    if (new Set(names).size > 1) throw new SimulationFailure(sim, `step key ${key} ran under different names: ${[...new Set(names)].join(', ')}`);
  }
  if (run.rerunAfterJournal.length) {
    throw new SimulationFailure(sim, `a step ran again after its result was journaled: ${run.rerunAfterJournal.join(', ')}`);
  }
}
