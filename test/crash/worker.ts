// Child worker of the crash test:
//   node --import tsx test/crash/worker.ts <dbPath> <ledgerPath> <count> [pay|sleep]
// Starts a runtime on the SQLite file, (re-)sends every invocation by idempotency
// key, waits for all of them, prints `done <n>` progress and `ALL DONE`, exits 0.
// It is killed with SIGKILL at random points and restarted; re-sending is safe.
import { ActorRuntime } from '../../src/index.js';
import { Ledger } from './ledger.js';
import { Payment, Sleeper, env } from './actors.js';

const [dbPath, ledgerPath, countText, modeArg] = process.argv.slice(2);
const count = Number(countText);
const mode = modeArg ?? 'pay';
if (!dbPath || !ledgerPath || !Number.isInteger(count) || count <= 0 || (mode !== 'pay' && mode !== 'sleep')) {
  process.stderr.write('usage: worker.ts <dbPath> <ledgerPath> <count> [pay|sleep]\n');
  process.exit(64);
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);
env.ledger = new Ledger(ledgerPath);
env.latencyMs = Number(process.env['CRASH_LATENCY_MS'] ?? '20');
env.out = out;

const runtime = new ActorRuntime({
  dbPath,
  pollIntervalMs: 100,
  logger: {
    debug: () => {},
    info: () => {},
    warn: (m: string) => void process.stderr.write(`[warn ${process.pid}] ${m}\n`),
    error: (m: string) => void process.stderr.write(`[error ${process.pid}] ${m}\n`),
  },
});
runtime.register(Payment).register(Sleeper);
await runtime.start();
out(`ready ${process.pid} partitions=${runtime.partitions.length}`);

const messages = Array.from({ length: count }, (_, i) =>
  mode === 'pay'
    ? { actorType: 'Payment', actorId: `p-${i % 50}`, method: 'pay', args: [i], idempotencyKey: `pay-${i}` }
    : { actorType: 'Sleeper', actorId: `s-${i}`, method: 'nap', args: [i], idempotencyKey: `nap-${i}` },
);
const receipts = await Promise.all(messages.map((m) => runtime.send(m)));
out(`sent ${receipts.length} (${receipts.filter((r) => r.duplicate).length} already known)`);

let done = 0;
const failures: string[] = [];
let printed = -1;
const progress = setInterval(() => {
  if (done !== printed) out(`done ${(printed = done)}`);
}, 50);
await Promise.all(
  receipts.map((r, i) =>
    runtime.result(r.invocationId).then(
      () => void done++,
      (err: unknown) => void failures.push(`${messages[i]!.idempotencyKey} (${r.invocationId}): ${(err as Error).message}`),
    ),
  ),
);
clearInterval(progress);
out(`done ${done}`);
if (failures.length > 0) {
  for (const f of failures) out(`FAILED ${f}`);
  process.exit(3);
}
out('ALL DONE');
await runtime.stop();
env.ledger.close();
process.exit(0);
