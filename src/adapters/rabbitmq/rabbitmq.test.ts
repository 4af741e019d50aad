import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { ConfigError, StoreError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { Delivery, WorkNotice } from '../../ports/transport.js';
import { transportContract } from '../../testing/transport-contract.js';
import { describeBroker } from './errors.js';
import { RabbitMQTransport, type RabbitMQTransportOptions } from './index.js';
import { assertUnreachableError, backendUnavailable } from '../../../test/support/backend.js';

const url = process.env.LOOM_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Three tries of 10 s: a broker on a busy machine can take seconds to answer a handshake. */
async function reachable(): Promise<string | undefined> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const conn = await amqp.connect(url, { timeout: 10_000 });
      await conn.close();
      return undefined;
    } catch (err) {
      last = err;
    }
  }
  return `RabbitMQ is not reachable at ${describeBroker(url)} (${(last as Error).message || (last as { code?: string }).code})`;
}

/** Every test gets its own prefix on the shared broker; cleanup deletes what that prefix can have created. */
const prefixOf = (name: string) => `loom-test.${name}`;

async function deleteTopology(prefix: string): Promise<void> {
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createChannel();
    for (let p = 0; p < 16; p++) await ch.deleteQueue(`${prefix}.p${p}`);
    await ch.deleteQueue(`${prefix}.dead`);
    await ch.deleteExchange(`${prefix}.dlx`);
  } finally {
    await conn.close();
  }
}

function make(name: string, options: RabbitMQTransportOptions = {}) {
  const prefix = prefixOf(name);
  return { prefix, transport: new RabbitMQTransport(url, { prefix, logger: silentLogger, ...options }), cleanup: () => deleteTopology(prefix) };
}

const notice = (partition: number): WorkNotice => ({ partition, invocationId: randomUUID() });

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/** A TCP hop to the broker that a test can cut and restore, to stage an outage of a shared broker. */
async function tcpProxy(targetPort: string) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(targetPort), '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    cut: async () => {
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const unreachable = await reachable();
if (unreachable) {
  backendUnavailable('rabbitmq transport', 'RabbitMQ', unreachable, 'LOOM_TEST_RABBITMQ_URL');
} else {
  transportContract('rabbitmq', async (name) => make(name), { delivery: 'at-least-once' });
  rabbitSpecifics();
}

/** What the shared suite cannot see: recovery, timeouts, dead-lettering, configuration checks. */
function rabbitSpecifics(): void {
  describe('rabbitmq transport specifics', () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups) await c().catch(() => {});
    });
    const open = async (options: RabbitMQTransportOptions = {}) => {
      const made = make(`s${randomUUID().slice(0, 8)}`, options);
      cleanups.push(async () => (await made.transport.close(), await made.cleanup()));
      await made.transport.start();
      return { t: made.transport, prefix: made.prefix };
    };
    const admin = async <T>(fn: (ch: amqp.Channel) => Promise<T>): Promise<T> => {
      const conn = await amqp.connect(url);
      try {
        return await fn(await conn.createChannel());
      } finally {
        await conn.close();
      }
    };

    it('reconnects after its connection is cut, resubscribes, and delivers again', async () => {
      const { t } = await open();
      const got: Delivery[] = [];
      await t.consume([0, 1], (d) => {
        got.push(d);
        void d.ack();
      });
      await t.publish([notice(0)]);
      await until('the first notice arrives', () => got.length === 1);
      const first = t.__connectionForTests();
      assert.ok(first);
      // A socket error is what a network failure or a broker restart looks like to the client.
      (first.connection as unknown as { stream: { destroy(err: Error): void } }).stream.destroy(new Error('test: connection cut'));
      // Published during the outage: publish waits for the reconnection instead of failing.
      const later = [notice(0), notice(1)];
      await t.publish(later);
      assert.notEqual(t.__connectionForTests(), first, 'a new connection was made');
      await until('notices published after the reconnect arrive', () => later.every((n) => got.some((d) => d.notice.invocationId === n.invocationId)));
    });

    it('resubscribes when the broker cancels a consumer, and republishes a notice returned as unroutable', async () => {
      const { t, prefix } = await open();
      const got: Delivery[] = [];
      await t.consume([2], (d) => {
        got.push(d);
        void d.ack();
      });
      await t.publish([notice(2)]);
      await until('the first arrives', () => got.length === 1);
      // An operator deletes the queue: the broker cancels the consumer, and the publisher's
      // memory that the queue exists is now wrong.
      await admin((ch) => ch.deleteQueue(`${prefix}.p2`));
      const more = notice(2);
      await t.publish([more]);
      await until('a later notice arrives too', () => got.some((d) => d.notice.invocationId === more.invocationId));
    });

    it('treats a second ack of the same delivery as a no-op (AMQP would close the channel)', async () => {
      const { t } = await open();
      const got: Delivery[] = [];
      await t.consume([4], (d) => {
        got.push(d);
        void d.ack();
        void d.ack();
      });
      await t.publish([notice(4), notice(4)]);
      await until('both arrive', () => got.length === 2);
      const more = notice(4);
      await t.publish([more]);
      await until('the channel still delivers', () => got.length === 3);
    });

    it('parks a notice that is never acked in the dead-letter queue once the delivery limit is reached, and logs it', async () => {
      const warnings: string[] = [];
      const logger: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
      const { t, prefix } = await open({ deliveryLimit: 1, logger });
      const n = notice(3);
      const got: Delivery[] = [];
      await t.publish([n]);
      for (let attempt = 1; attempt <= 2; attempt++) {
        await t.consume([3], (d) => got.push(d));
        await until(`delivery ${attempt}`, () => got.length === attempt);
        await t.consume([], () => {}); // dropped unacked: the broker counts a failed delivery
      }
      assert.ok(warnings.some((w) => w.includes(n.invocationId) && w.includes(`${prefix}.dead`)), warnings.join('\n'));
      let parked = 0;
      for (const end = Date.now() + 5_000; parked < 1 && Date.now() < end; await sleep(50)) {
        parked = await admin(async (ch) => (await ch.checkQueue(`${prefix}.dead`)).messageCount);
      }
      assert.equal(parked, 1);
      await t.consume([3], (d) => got.push(d));
      await sleep(300);
      assert.equal(got.length, 2, 'a parked notice is not delivered again');
    });

    it('publish during an outage waits for the broker, then rejects with a StoreError; delivery resumes once it is back', async () => {
      const link = await tcpProxy(new URL(url).port || '5672');
      const prefix = prefixOf(`o${randomUUID().slice(0, 8)}`);
      const t = new RabbitMQTransport(url.replace(/:\d+$/, `:${link.port}`), { prefix, timeoutMs: 500, logger: silentLogger });
      cleanups.push(async () => (await t.close(), link.close(), await deleteTopology(prefix)));
      await t.start();
      const got: string[] = [];
      await t.consume([0], (d) => {
        got.push(d.notice.invocationId);
        void d.ack();
      });
      await t.publish([notice(0)]);
      await until('the first notice arrives', () => got.length === 1);
      await link.cut();
      const started = Date.now();
      await assert.rejects(t.publish([notice(0)]), (err: unknown) => {
        assert.ok(err instanceof StoreError, String(err));
        assert.match(err.message, /were not confirmed within 500 ms/);
        assert.match(err.message, /RabbitMQ at amqp:\/\/guest@127\.0\.0\.1:/);
        return true;
      });
      assert.ok(Date.now() - started >= 450, 'it waited for the reconnection first');
      await link.restore();
      await until('the transport reconnects', () => t.__connectionForTests() !== undefined);
      const after = notice(0);
      await t.publish([after]);
      await until('the resubscribed consumer gets it', () => got.includes(after.invocationId));
    });

    it('start() rejects with a StoreError naming the broker when it is unreachable', async () => {
      const t = new RabbitMQTransport('amqp://guest:secret@127.0.0.1:1', { timeoutMs: 300, logger: silentLogger });
      await assertUnreachableError(t.start(), { where: /RabbitMQ at amqp:\/\/guest@127\.0\.0\.1:1/, advice: /Is RabbitMQ running/, secret: 'secret' });
      await t.close();
    });

    it('rejects invalid options with a ConfigError', () => {
      assert.throws(() => new RabbitMQTransport(url, { deliveryLimit: 0 }), ConfigError);
      assert.throws(() => new RabbitMQTransport(url, { prefetch: 0 }), ConfigError);
      assert.throws(() => new RabbitMQTransport(url, { prefix: '' }), ConfigError);
    });
  });
}
