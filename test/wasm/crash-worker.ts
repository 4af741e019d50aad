// Child of the composition crash test:
//   node --import tsx test/wasm/crash-worker.ts <dbPath> <count>
// Runs a three-stage WebAssembly pipeline as a durable actor on SQLite, (re-)sends
// <count> invocations by idempotency key and waits for them. Every stage reports
// itself through the `mark` host function, printed as `mark <stage> <id>`.
import { setTimeout as sleep } from 'node:timers/promises';
import { ActorRuntime } from '../../src/index.js';
import { fixture } from './modules.js';

const [dbPath, countText] = process.argv.slice(2);
const count = Number(countText);
const out = (line: string): void => void process.stdout.write(`${line}\n`);

const runtime = new ActorRuntime({
  dbPath: dbPath!,
  pollIntervalMs: 50,
  logger: { debug: () => {}, info: () => {}, warn: (m) => void process.stderr.write(`${m}\n`), error: (m) => void process.stderr.write(`${m}\n`) },
});
runtime.registerWasm('Pipeline', ['stage-a', 'stage-b', 'stage-c'].map(fixture), {
  hostFunctions: {
    mark: async (m) => {
      const { stage, id } = m as { stage: string; id: string };
      out(`mark ${stage} ${id}`);
      // A slow stage, so that the kill lands in the middle of pipelines.
      await sleep(150);
      return null;
    },
  },
  limits: { timeoutMs: 10_000 },
});
await runtime.start();
out('ready');
const receipts = await Promise.all(
  Array.from({ length: count }, (_, i) =>
    runtime.send({ actorType: 'Pipeline', actorId: `loan-${i}`, method: 'stage', args: [{ id: `loan-${i}` }], idempotencyKey: `loan-${i}` }),
  ),
);
const results = await Promise.all(receipts.map((r) => runtime.result(r.invocationId)));
out(`result ${JSON.stringify(results)}`);
out('ALL DONE');
await runtime.stop();
