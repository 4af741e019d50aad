// Loom demo: a payment processor on the embedded SQLite store, with a crash.
//
//   npm run demo     (builds, then runs: node examples/payment-processor/main.js)
//
// main.js runs no actors itself. It starts worker 1 (child.js), which accepts
// three orders and processes them; kills it with SIGKILL at a known point;
// shows what the store file holds; starts worker 2 on the same file, which
// resumes the unfinished orders; then checks the external systems for
// duplicate charges. Exits 0 when every check passes.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../dist/adapters/sqlite/index.js';
import { shortKey } from './external.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '.data');
const DB = join(DATA, 'loom.db');
const EXTERNAL = join(DATA, 'external.json');
const WORKER_DEADLINE_MS = 30_000;
const started = Date.now();

const say = (line = '') => console.log(line);
const heading = (n, text) => say(`\n${n}. ${text}`);
const show = (p) => relative(process.cwd(), p) || p;

/**
 * Starts child.js and relays its output. `until(event, events)` is checked on
 * every event; when it returns true the worker is killed with SIGKILL.
 */
function runWorker(no, args, until) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, 'child.js'), String(no), DB, EXTERNAL, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const events = [];
    let killed = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker ${no} did not finish within ${WORKER_DEADLINE_MS} ms`));
    }, WORKER_DEADLINE_MS);
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('@')) {
          say(`   [worker ${no}] ${line}`);
          continue;
        }
        const e = JSON.parse(line.slice(1));
        events.push(e);
        if (!killed && until?.(e, events)) {
          killed = true;
          child.kill('SIGKILL');
          say(`   [main] kill -9 ${child.pid}`);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ pid: child.pid, code, signal, events });
    });
  });
}

function check(ok, what) {
  if (!ok) {
    console.error(`\nDEMO CHECK FAILED: ${what}`);
    process.exit(1);
  }
}

say('Loom demo: a payment processor on the embedded SQLite store (no server).');
rmSync(DATA, { recursive: true, force: true });
mkdirSync(DATA, { recursive: true });
say(`   store: ${show(DB)} (deleted at start, so the demo is repeatable)`);
say(`   fake payment provider, warehouse and mailer: ${show(EXTERNAL)}; each applies a request once per idempotency key`);
say('   handler PaymentProcessor.process(order): step charge -> step ship -> durable sleep 1 s -> step email -> update state');

heading(1, 'Worker 1 accepts three orders and starts on them. The provider\'s reply to the order-3 charge will get stuck.');
const first = await runWorker(1, ['--stall', 'charge-reply:order-3'], (_e, events) => {
  const order2Sleeping = events.some((e) => e.event === 'attempt' && e.order === 'order-2' && e.outcome === 'suspended');
  const order3Charged = events.some((e) => e.event === 'charged' && e.order === 'order-3');
  return order2Sleeping && order3Charged;
});
check(first.signal === 'SIGKILL', `worker 1 was to be killed, but it exited with code ${first.code}`);
say(`   [main] worker 1 crashed (signal ${first.signal}). It had finished order-1, journaled two steps of order-2 (sleeping),`);
say('          and the provider had charged order-3, but the reply never reached worker 1, so nothing of order-3 was journaled.');

const ids = Object.fromEntries(first.events.filter((e) => e.event === 'accepted').map((e) => [e.order, e.invocationId]));
check(Object.keys(ids).length === 3, 'worker 1 did not accept all three orders');

heading(2, 'What the store file holds after the crash (read through the Store port of loom/sqlite):');
const store = new SqliteStore({ path: DB });
await store.init();
for (const [order, id] of Object.entries(ids)) {
  const rec = await store.getInvocation(id);
  const journal = await store.loadJournal(id);
  const steps = journal.map((j) => `${j.kind} "${j.name}" ${j.status}`).join(', ') || 'nothing';
  const detail =
    rec.status === 'completed'
      ? `completed, result kept for duplicates, journal dropped`
      : `${rec.status}, journaled: ${steps}${rec.notBefore ? `; wakes at +${Math.max(0, rec.notBefore - Date.now())} ms` : ''}`;
  say(`   ${order} (invocation ${shortKey(id)}): ${detail}`);
}
await store.close();

heading(3, 'Worker 2 starts on the same file. The dead worker\'s partition leases are taken over and unfinished invocations resume.');
const second = await runWorker(2, []);
check(second.code === 0, `worker 2 exited with code ${second.code} (signal ${second.signal})`);
const done = second.events.find((e) => e.event === 'done');
check(done !== undefined, 'worker 2 did not report its results');

heading(4, 'Summary, from the external systems\' own records:');
const external = JSON.parse(readFileSync(EXTERNAL, 'utf8'));
const charges = Object.values(external.charges);
const perOrder = new Map();
for (const c of charges) perOrder.set(c.orderId, (perOrder.get(c.orderId) ?? 0) + 1);
const duplicateCharges = [...perOrder.values()].reduce((sum, n) => sum + n - 1, 0);
const chargeRequests = external.requests.filter((r) => r.system === 'charges').length;
const shipments = Object.keys(external.shipments).length;
const emails = Object.keys(external.emails).length;
const replayed = second.events.filter((e) => e.event === 'replayed').map((e) => `${e.order} ${e.step}`);
say(`   ${done.results.length} orders, ${charges.length} charges, ${duplicateCharges} duplicate charges; ${shipments} shipments, ${emails} emails.`);
say(`   The provider got ${chargeRequests} charge requests: order-3's charge ran again after the crash, with the same key,`);
say('   and the provider answered it from its idempotency table.');
say(`   Steps worker 2 read from the journal instead of running: ${replayed.join(', ') || 'none'}.`);
say(`   The duplicate call for order-1 ran ${done.duplicateCallAttempts} attempts and sent ${done.duplicateCallRequests} requests: it returned the stored result.`);
say(`   Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Inspect the store with any SQLite client, e.g. sqlite3 ${show(DB)} 'select * from loom_invocations'`);

check(done.results.length === 3 && charges.length === 3 && duplicateCharges === 0, 'expected 3 orders, 3 charges, 0 duplicate charges');
check(shipments === 3 && emails === 3, 'expected 3 shipments and 3 emails');
check(replayed.includes('order-2 charge') && replayed.includes('order-2 ship'), 'worker 2 should have replayed the charge and ship of order-2');
check(chargeRequests === 4, `expected 4 charge requests (one retried under its key), got ${chargeRequests}`);
check(done.duplicateCallAttempts === 0 && done.duplicateCallRequests === 0, 'the duplicate call should not have run the handler');
check(JSON.stringify(done.again) === JSON.stringify(done.results[0]), 'the duplicate call should return the stored result');
