// A worker process for the schedule cluster tests: fires the schedules of the
// partitions it owns, runs Reporter. Prints "ready <workerId>" once started.
import { ActorRuntime } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { childStore } from '../support/store-child.js';
import { Reporter } from './schedule-actors.js';

const workerId = process.env.LOOM_WORKER_ID ?? `w-${process.pid}`;
const runtime = new ActorRuntime({ store: await childStore(), workerId, logger: silentLogger, leaseTtlMs: 2000, pollIntervalMs: 100, partitions: 64 });
runtime.register(Reporter);
runtime.schedules.configure({ checkIntervalMs: 200 });
await runtime.start();
console.log(`ready ${workerId}`);
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) process.exit(130);
  stopping = true;
  void runtime.stop(3000).then(() => process.exit(0), () => process.exit(1));
});
