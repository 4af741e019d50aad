import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import amqp from 'amqplib';
import { Actor, type ActorRuntime } from '../src/index.js';
import { PostgresStore, PostgresNotifier } from '../src/adapters/postgres/index.js';
import { RabbitMQTransport } from '../src/adapters/rabbitmq/index.js';
import type { Transport } from '../src/ports/transport.js';
import { silentLogger } from '../src/core/logger.js';
import { ActorRuntime as Runtime } from '../src/index.js';

const PG = process.env.LOOM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AMQP = process.env.LOOM_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

class Greeter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async hello(name: string) {
    this.state.n++;
    return `hello ${name} #${this.state.n}`;
  }
}

const variants: { name: string; transport: (ns: string) => Transport }[] = [
  { name: 'rabbitmq', transport: (ns) => new RabbitMQTransport(AMQP, { prefix: ns, logger: silentLogger }) },
  { name: 'postgres-notify', transport: (ns) => new PostgresNotifier(PG, { schema: ns, logger: silentLogger }) },
];

for (const v of variants) {
  describe(`work notices over ${v.name}`, () => {
    it('delivers work to the partition owner without waiting for its poll', { timeout: 60_000 }, async () => {
      const ns = `loom_tw_${randomUUID().slice(0, 8)}`;
      const make = (id: string): ActorRuntime =>
        new Runtime({
          store: new PostgresStore(PG, { schema: ns }),
          transport: v.transport(ns),
          workerId: id,
          partitions: 8,
          leaseTtlMs: 600,
          pollIntervalMs: 60_000,
          logger: silentLogger,
        }).register(Greeter);
      const a = make('worker-a');
      const b = make('worker-b');
      try {
        await a.start();
        await b.start();
        for (let i = 0; i < 100 && (a.partitions.length !== 4 || b.partitions.length !== 4); i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(a.partitions.length + b.partitions.length, 8, 'the two workers should split the partitions');
        const started = Date.now();
        // Actor ids on both workers' partitions: calls from `a` to actors owned by `b` must arrive by the transport.
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => a.call<string>({ actorType: 'Greeter', actorId: `g${i}`, method: 'hello', args: ['x'] })));
        const took = Date.now() - started;
        assert.deepEqual(results, Array.from({ length: 40 }, () => 'hello x #1'));
        assert.ok(took < 20_000, `40 calls took ${took} ms: notices did not reach the owner, only its 60 s poll would have`);
      } finally {
        await a.stop();
        await b.stop();
        const admin = new pg.Client(PG);
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${ns} CASCADE`);
        await admin.end();
        if (v.name === 'rabbitmq') {
          const conn = await amqp.connect(AMQP);
          const ch = await conn.createChannel();
          for (let p = 0; p < 8; p++) await ch.deleteQueue(`${ns}.p${p}`);
          await ch.deleteQueue(`${ns}.dead`);
          await ch.deleteExchange(`${ns}.dlx`);
          await conn.close();
        }
      }
    });
  });
}
