// One Loom worker process of the demo:
//   node child.js <worker number> <loom db file> <external systems file> [--stall charge-reply:<orderId>]
// main.js starts it twice on the same store file and kills the first one with
// SIGKILL halfway through. Human-readable lines go to stdout; lines starting
// with `@` are JSON events for main.js.
import { relative } from 'node:path';
import { ActorRuntime } from '../../dist/index.js';
import { PaymentProcessor, env } from './actors.js';
import { ExternalSystems, shortKey } from './external.js';

const [workerNo, dbPath, externalPath, ...flags] = process.argv.slice(2);
if (!workerNo || !dbPath || !externalPath) {
  process.stderr.write('usage: node child.js <worker number> <loom db file> <external systems file> [--stall charge-reply:<orderId>]\n');
  process.exit(64);
}
const stalls = new Set(flags.flatMap((f, i) => (f === '--stall' && flags[i + 1] ? [flags[i + 1]] : [])));

const say = (line) => void process.stdout.write(`${line}\n`);
const event = (e) => void process.stdout.write(`@${JSON.stringify(e)}\n`);
env.external = new ExternalSystems(externalPath, { say, event, stalls });
env.say = say;
env.event = event;

const ORDERS = [
  { id: 'order-1', customer: 'alice', amount: 40 },
  { id: 'order-2', customer: 'alice', amount: 25 },
  { id: 'order-3', customer: 'bob', amount: 99 },
];

/** The message for an order: the customer is the actor id, the order id is the idempotency key. */
const message = (order) => ({ actorType: 'PaymentProcessor', actorId: order.customer, method: 'process', args: [order], idempotencyKey: order.id });

const attempts = new Map(); // idempotency key -> attempts run in this process
const runtime = new ActorRuntime({
  dbPath,
  onAttempt: (e) => {
    attempts.set(e.idempotencyKey, (attempts.get(e.idempotencyKey) ?? 0) + 1);
    if (e.outcome === 'suspended') say(`${e.idempotencyKey}: suspended on its durable sleep (journal committed, invocation left memory)`);
    if (e.outcome === 'completed') say(`${e.idempotencyKey}: completed (result and state committed in one transaction)`);
    if (e.outcome === 'retry' || e.outcome === 'failed' || e.outcome === 'dead') say(`${e.idempotencyKey}: attempt ${e.attempt} ${e.outcome}: ${e.error?.message}`);
    event({ event: 'attempt', order: e.idempotencyKey, outcome: e.outcome, invocationId: e.invocationId });
  },
});
runtime.register(PaymentProcessor);
await runtime.start();
say(`worker ${workerNo} (pid ${process.pid}) holds ${runtime.partitions.length} of 64 partitions of ${relative(process.cwd(), dbPath)}`);

if (workerNo === '1') {
  const ids = {};
  for (const order of ORDERS) {
    const receipt = await runtime.send(message(order));
    ids[order.id] = receipt.invocationId;
    say(`client: sent ${order.id} (${order.customer}, ${order.amount.toFixed(2)} EUR), idempotencyKey "${order.id}" -> invocation ${shortKey(receipt.invocationId)}`);
    event({ event: 'accepted', order: order.id, invocationId: receipt.invocationId });
  }
  const first = await runtime.result(ids['order-1']);
  say(`client: order-1 returned ${JSON.stringify(first)}`);
  // Worker 1 keeps working until main.js kills it.
} else {
  say('client: it never heard back about order-2 and order-3, so it sends all three orders again with the same idempotency keys');
  const receipts = [];
  for (const order of ORDERS) {
    const receipt = await runtime.send(message(order));
    receipts.push(receipt);
    say(`client: ${order.id} -> duplicate: ${receipt.duplicate}, same invocation ${shortKey(receipt.invocationId)}`);
  }
  const results = await Promise.all(receipts.map((r) => runtime.result(r.invocationId)));
  for (const result of results) say(`client: ${result.orderId} returned ${JSON.stringify(result)}`);

  const before = env.external.read().requests.length;
  const again = await runtime.call(message(ORDERS[0]));
  const after = env.external.read().requests.length;
  const ran = attempts.get('order-1') ?? 0;
  say(`client: runtime.call for order-1 once more with key "order-1" -> ${JSON.stringify(again)}`);
  say(`        ${ran === 0 && after === before ? 'the stored result: no attempt ran, no request reached the external systems' : `UNEXPECTED: ${ran} attempt(s), ${after - before} request(s)`}`);

  const states = {};
  for (const customer of ['alice', 'bob']) states[customer] = await runtime.getState('PaymentProcessor', customer);
  say(`state: alice ${JSON.stringify(states.alice)}, bob ${JSON.stringify(states.bob)}`);
  event({ event: 'done', results, again, states, duplicateCallAttempts: ran, duplicateCallRequests: after - before });
  await runtime.stop();
}
