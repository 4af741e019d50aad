import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Actor, ActorRuntime } from '../../src/index.js';
import { RedisStore } from '../../src/adapters/redis/index.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { createHealthServer, PortInUseError, type HealthReport } from '../../src/observability/index.js';
import type { Logger } from '../../src/core/logger.js';
import { TcpProxy } from '../support/proxy.js';
import { dropPrefix, openAdmin, redisUnavailable } from '../support/redis.js';
import { parseProm, total } from './prom.js';
import { until } from './backends.js';

class Echo extends Actor {
  async echo(x: number) {
    return x;
  }
}

const getHealth = async (url: string): Promise<HealthReport> => (await (await fetch(`${url}/health`)).json()) as HealthReport;
const metrics = async (url: string) => parseProm(await (await fetch(`${url}/metrics`)).text());

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: () => {}, info: () => {}, warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

it('a port in use gives a PortInUseError that names the port', { timeout: 10_000 }, async () => {
  const runtime = new ActorRuntime({ store: new MemoryStore() }).register(Echo);
  const first = await createHealthServer({ port: 0, runtime });
  after(() => first.close());
  await assert.rejects(createHealthServer({ port: first.port, runtime }), (err: unknown) => {
    assert.ok(err instanceof PortInUseError);
    assert.equal(err.code, 'LOOM_PORT_IN_USE');
    assert.match(err.message, new RegExp(`port ${first.port}: it is already in use`));
    return true;
  });
  const r = await getHealth(first.url);
  assert.equal(r.status, 'down', 'a runtime not started is down');
  assert.equal((await fetch(`${first.url}/ready`)).status, 503);
});

const { admin, unreachable } = await openAdmin();
if (unreachable) redisUnavailable('health with a Redis that stops answering', unreachable);
else {
  admin.disconnect();
  describe('health with a Redis store behind a proxy', () => {
    const setup = async () => {
      const proxy = new TcpProxy('127.0.0.1', 6379);
      const port = await proxy.start();
      const prefix = `obs-health-${randomBytes(4).toString('hex')}:`;
      const log = capture();
      const store = new RedisStore({ host: '127.0.0.1', port, maxRetriesPerRequest: null }, { prefix, logger: log });
      const runtime = new ActorRuntime({ store, partitions: 4, leaseTtlMs: 3000, logger: log, pollIntervalMs: 100 }).register(Echo);
      const server = await createHealthServer({ port: 0, runtime, storeTimeoutMs: 500 });
      await runtime.start();
      after(async () => {
        proxy.heal();
        await proxy.restart().catch(() => {});
        await server.close();
        await runtime.stop(1000).catch(() => {});
        await proxy.stop();
        const { admin: a } = await openAdmin();
        await dropPrefix(a, prefix);
        a.disconnect();
      });
      await until(async () => (await getHealth(server.url)).status === 'ok', 10_000, 'health ok');
      return { proxy, runtime, server, log };
    };

    it('a blackholed store is seen within seconds: logged once, degraded, metric set, partitions dropped; ok again once it answers', { timeout: 60_000 }, async () => {
      const { proxy, runtime, server, log } = await setup();
      assert.equal(await runtime.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: [1] }), 1);
      assert.equal(runtime.partitions.length, 4);
      const cut = Date.now();
      proxy.blackhole();
      // A message sent now waits in a commit that cannot return: the watchdog sees that too.
      const sending = runtime.send({ actorType: 'Echo', actorId: 'e', method: 'echo', args: [9] });
      await until(() => runtime.partitions.length === 0, 8000, 'the partitions whose renewal could not complete to be dropped');
      const seenAfter = Date.now() - cut;
      assert.ok(seenAfter < 8000, `seen after ${seenAfter} ms`);
      const h = await getHealth(server.url);
      assert.equal(h.status, 'degraded');
      assert.equal(h.store.reachable, false);
      const m = await metrics(server.url);
      assert.equal(total(m, 'loom_store_up'), 0);
      assert.ok(total(m, 'loom_store_call_failures_total', { kind: 'timeout' }) >= 1);
      assert.equal(total(m, 'loom_lease_losses_total', { reason: 'renewal-timeout' }), 4);
      await until(async () => total(await metrics(server.url), 'loom_store_call_failures_total', { op: 'commit', kind: 'timeout' }) === 1, 5000, 'the stalled commit to be reported');
      await new Promise((r) => setTimeout(r, 3000)); // more ticks fail: still one log line for the lease store
      const leaseLines = log.lines.filter((l) => l.startsWith('error') && l.includes('the lease store'));
      assert.equal(leaseLines.length, 1, log.lines.join('\n'));
      assert.match(leaseLines[0]!, /did not answer within 1000 ms/);

      proxy.heal();
      await until(async () => (await getHealth(server.url)).status === 'ok' && runtime.partitions.length === 4, 20_000, 'health ok and partitions back');
      assert.equal(await runtime.result((await sending).invocationId), 9, 'the message sent during the outage was accepted and ran once it healed');
      assert.equal(await runtime.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: [2] }), 2);
      assert.equal(total(await metrics(server.url), 'loom_store_up'), 1);
    });

    it('/health turns degraded when the store is stopped, and ok again after it is back', { timeout: 60_000 }, async () => {
      const { proxy, runtime, server } = await setup();
      await proxy.stop();
      await until(async () => (await getHealth(server.url)).status === 'degraded', 10_000, 'health degraded');
      assert.equal((await fetch(`${server.url}/ready`)).status, 503);
      await proxy.restart();
      await until(async () => (await getHealth(server.url)).status === 'ok', 20_000, 'health ok again');
      assert.equal((await fetch(`${server.url}/ready`)).status, 200);
      assert.equal(await runtime.call({ actorType: 'Echo', actorId: 'e', method: 'echo', args: [3] }), 3);
    });
  });
}
