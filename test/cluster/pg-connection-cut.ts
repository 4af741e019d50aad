// Reproduction (not part of `npm test`): PostgresStore connections cut while a
// transaction holds a pooled client crash the process.
//
//   node --import tsx test/cluster/pg-connection-cut.ts [repeatable-read|read-committed]
//
// A private PostgreSQL (initdb in a temp dir) sits behind a TCP proxy in this
// process; 8 lanes enqueue batches while the proxy destroys every connection
// 40 times (as a server crash, a failover or a network reset would). With
// `repeatable-read` (default) the database's default_transaction_isolation is
// set so, and the store runs every write through `inTransaction`
// (src/adapters/postgres/session.ts), which checks a client out of the pool.
// pg-pool removes its own 'error' listener from a checked-out client, and pg
// emits 'error' on the client when its connection ends, so the 'error' event is
// unhandled: the process exits ("Unhandled 'error' event ... Emitted 'error'
// event on Client instance"). Exit code 0 and "no unhandled error" = fixed.
import { connect, createServer, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/adapters/postgres/index.js';
import { PrivatePostgres } from './servers.js';

const mode = process.argv[2] ?? 'repeatable-read';
const server = await PrivatePostgres.start();
process.on('exit', (code) => {
  if (code !== 0) console.log(`exit code ${code}: the process died of the unhandled 'error' event above`);
});
const boot = new pg.Client({ connectionString: server.url });
await boot.connect();
if (mode === 'repeatable-read') await boot.query("ALTER DATABASE postgres SET default_transaction_isolation = 'repeatable read'");
await boot.end();

const sockets = new Set<Socket>();
const proxy = createServer((c) => {
  const s = connect(server.port, '127.0.0.1');
  sockets.add(c).add(s);
  c.pipe(s);
  s.pipe(c);
  const done = () => {
    c.destroy();
    s.destroy();
    sockets.delete(c);
    sockets.delete(s);
  };
  for (const x of [c, s]) x.on('error', done).on('close', done);
});
await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
const port = (proxy.address() as { port: number }).port;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const store = new PostgresStore({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, max: 5 }, { schema: 'repro', logger: quiet });
await store.init();

let stop = false;
let ok = 0;
let failed = 0;
const item = () => ({ id: randomUUID(), actorType: 'T', actorId: 'a', method: 'm', argsJson: '[]', partition: 0, ttlMs: 1000 });
const lanes = Array.from({ length: 8 }, async () => {
  while (!stop) {
    try {
      await store.enqueue(Array.from({ length: 20 }, item));
      ok++;
    } catch {
      failed++;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
});
for (let i = 0; i < 40; i++) {
  await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
  for (const s of sockets) s.destroy();
}
stop = true;
await Promise.all(lanes);
console.log(`mode ${mode}: enqueue batches ok ${ok}, failed ${failed} (connections cut 40 times); no unhandled error`);
await store.close();
proxy.close();
server.destroy();
