// The transports a config file names are built, started and used: BullMQ and
// RabbitMQ here (Redis Streams, Pub/Sub and LISTEN/NOTIFY run in the CLI and
// Quick Start tests).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { Actor } from '../../src/index.js';
import { createRuntimeFromConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDir } from '../support/runtime.js';
import { dropPrefix, openAdmin, redisUrl } from '../support/redis.js';
import type { Transport } from '../../src/ports/transport.js';

class Echo extends Actor {
  async echo(v: string) {
    return v;
  }
}

const rabbitUrl = process.env.LOOM_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

describe('transports from a config file', { timeout: 60_000 }, () => {
  describe('bullmq', () => {
    let conn: Awaited<ReturnType<typeof openAdmin>>;
    const prefix = `loom-cfgbq-${randomUUID().slice(0, 8)}`;
    before(async () => (conn = await openAdmin()));
    after(async () => {
      if (!conn.unreachable) await dropPrefix(conn.admin, prefix);
      conn.admin.disconnect();
    });
    it('runs over BullMQ queues under the configured prefix', async (t) => {
      if (conn.unreachable) return process.env.CI === 'true' ? assert.fail(conn.unreachable) : t.skip(conn.unreachable);
      const tmp = tempDir();
      t.after(() => tmp.cleanup());
      const runtime = await createRuntimeFromConfig(
        { store: 'sqlite', sqlite: { path: tmp.db }, redis: { url: redisUrl }, bullmq: { prefix, lockDuration: '5s' }, runtime: { partitions: 2 } },
        { actors: [Echo], logger: silentLogger },
      );
      t.after(() => runtime.stop());
      assert.equal((runtime.options.transport as Transport | undefined)?.name, 'bullmq', 'the bullmq section alone selects the transport');
      assert.equal(await runtime.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: ['hi'] }), 'hi');
      await (runtime.options.transport as Transport).publish([{ partition: 1, invocationId: randomUUID() }]);
      assert.ok((await conn.admin.keys(`${prefix}:*`)).length > 0, 'a published notice lives under the configured BullMQ prefix');
    });
  });

  describe('rabbitmq', () => {
    const prefix = `loom-cfgrmq-${randomUUID().slice(0, 8)}`;
    let down: string | undefined;
    before(async () => {
      try {
        await (await amqp.connect(rabbitUrl, { timeout: 3_000 })).close();
      } catch (err) {
        down = `RabbitMQ is not reachable (${(err as Error).message})`;
      }
    });
    after(async () => {
      if (down) return;
      const c = await amqp.connect(rabbitUrl);
      const ch = await c.createChannel();
      for (let p = 0; p < 2; p++) await ch.deleteQueue(`${prefix}.p${p}`);
      await ch.deleteQueue(`${prefix}.dead`);
      await ch.deleteExchange(`${prefix}.dlx`);
      await c.close();
    });
    it('declares quorum queues under the configured prefix and runs over them', async (t) => {
      if (down) return process.env.CI === 'true' ? assert.fail(down) : t.skip(down);
      const tmp = tempDir();
      t.after(() => tmp.cleanup());
      process.env.LOOM_TEST_AMQP_URL = rabbitUrl;
      t.after(() => delete process.env.LOOM_TEST_AMQP_URL);
      const runtime = await createRuntimeFromConfig(
        { store: 'sqlite', sqlite: { path: tmp.db }, transport: 'rabbitmq', rabbitmq: { url: 'env://LOOM_TEST_AMQP_URL', prefix, prefetch: 16 }, runtime: { partitions: 2 } },
        { actors: [Echo], logger: silentLogger },
      );
      t.after(() => runtime.stop());
      assert.equal(await runtime.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: ['hi'] }), 'hi');
      const c = await amqp.connect(rabbitUrl);
      t.after(() => c.close());
      const ch = await c.createChannel();
      assert.equal((await ch.checkQueue(`${prefix}.p0`)).queue, `${prefix}.p0`, 'the partition queue exists: the url came from the env:// reference');
    });
  });
});
