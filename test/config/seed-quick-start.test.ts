// The seed README's "With Configuration File" Quick Start, as written there, on the
// Redis here: its YAML verbatim, loadConfig, createRuntimeFromConfig. Only the key
// prefix and the health server's port are moved (LOOM_* overrides, as in a deployment)
// so that concurrent test runs do not collide.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Actor } from '../../src/index.js';
import { loadConfig, createRuntimeFromConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDir } from '../support/runtime.js';
import { freePort } from '../support/net.js';
import { dropPrefix, openAdmin } from '../support/redis.js';
import { SEED_YAML } from '../support/seed-config.js';


class PaymentProcessor extends Actor<{ charged: number }> {
  static initialState = { charged: 0 };
  async charge(amount: number) {
    this.state.charged += amount;
    return this.state.charged;
  }
}

describe('the seed Quick Start with a configuration file', { timeout: 30_000 }, () => {
  let conn: Awaited<ReturnType<typeof openAdmin>>;
  const prefix = `loom-seedcfg-${randomUUID().slice(0, 8)}:`;
  before(async () => (conn = await openAdmin()));
  after(async () => {
    if (!conn.unreachable) await dropPrefix(conn.admin, prefix);
    conn.admin.disconnect();
  });

  it('loads the YAML, builds a Redis runtime with the health server, and stops both', async (t) => {
    if (conn.unreachable) return process.env.CI === 'true' ? assert.fail(conn.unreachable) : t.skip(conn.unreachable);
    const tmp = tempDir();
    t.after(() => tmp.cleanup());
    const file = join(tmp.dir, 'loom.config.yaml');
    writeFileSync(file, SEED_YAML);
    const port = await freePort();
    const config = await loadConfig(file, { env: { LOOM_REDIS_PREFIX: prefix, LOOM_OBSERVABILITY_PORT: String(port) } });
    const runtime = await createRuntimeFromConfig(config, { logger: silentLogger }); // the seed passes no actors
    runtime.register(PaymentProcessor); // the line the seed leaves out; actors.payment-processor applies to it
    let stopped = false;
    t.after(async () => {
      if (!stopped) await runtime.stop();
    });
    await runtime.start();
    assert.equal(await runtime.call({ actorType: 'PaymentProcessor', actorId: 'p1', method: 'charge', args: [25], idempotencyKey: 'o-1' }), 25);
    assert.equal(await runtime.call({ actorType: 'PaymentProcessor', actorId: 'p1', method: 'charge', args: [25], idempotencyKey: 'o-1' }), 25);
    assert.ok((await conn.admin.keys(`${prefix}*`)).length > 0, 'the state is in Redis under the prefix');
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200, await health.text());
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /loom_/);
    await runtime.stop();
    stopped = true;
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), 'the health server closed with the runtime');
  });
});
