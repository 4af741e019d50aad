export { createSimulation, Simulation, type SimulationOptions, type Scenario, type Invariants, type ExplorationReport, type TraceLine } from './simulation.js';
export { SimulationFailure } from './failure.js';
export type { Violation } from './determinism.js';
export { replayJournal, replayJournals, type RecordedJournal, type ReplayResult } from './replay.js';
