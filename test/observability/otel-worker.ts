// Child worker of the cross-process OpenTelemetry test:
//   node --import tsx test/observability/otel-worker.ts <prefix> <spanFile> <markerFile> [send]
// Runs Orders and Payments on a Redis store with a Redis Streams transport and
// appends every span it ends to <spanFile>. The first run of Payments' "settle"
// step kills its own process (SIGKILL) after "charge" was journaled. With
// `send`, it sends one Orders.place once both workers share the partitions.
import { existsSync, writeFileSync } from 'node:fs';
import { Actor, ActorRuntime } from '../../src/index.js';
import { RedisStore, RedisStreamsTransport } from '../../src/adapters/redis/index.js';
import { observe } from '../../src/observability/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { redisUrl } from '../support/redis.js';
import { testTracing } from './otel-support.js';

const [prefix, spanFile, marker, mode] = process.argv.slice(2) as [string, string, string, string | undefined];

class Payments extends Actor {
  async charge(amount: number) {
    const id = await this.step('charge', () => `ch-${amount}`);
    await this.step('settle', () => {
      if (!existsSync(marker)) {
        writeFileSync(marker, String(process.pid));
        process.kill(process.pid, 'SIGKILL');
      }
      return true;
    });
    return id;
  }
}

class Orders extends Actor {
  async place(amount: number) {
    await this.step('reserve', () => true);
    return this.call<string>('Payments', 'p1', 'charge', amount);
  }
}

const { provider } = testTracing(spanFile);
const runtime = new ActorRuntime({
  store: new RedisStore(redisUrl, { prefix, logger: silentLogger }),
  transport: new RedisStreamsTransport(redisUrl, { prefix, logger: silentLogger }),
  partitions: 4,
  leaseTtlMs: 2000,
  pollIntervalMs: 100,
  logger: silentLogger,
})
  .register(Orders)
  .register(Payments);
observe(runtime, { tracer: provider.getTracer('loom-test') });
await runtime.start();
process.stdout.write(`ready ${process.pid}\n`);
if (mode === 'send') {
  while (runtime.partitions.length > 2) await new Promise((r) => setTimeout(r, 50));
  const { invocationId } = await runtime.send({ actorType: 'Orders', actorId: 'o1', method: 'place', args: [7] });
  process.stdout.write(`SENT ${invocationId}\n`);
}
process.on('SIGTERM', () => void runtime.stop(1000).then(() => process.exit(0)));
