// Keeps README.md's per-block status table of the seed README true: one row per
// code block of test/seed/LOOM-README.md (a copy of the seed), each row's status
// matching what Loom has. A "not built yet" row fails here once its feature
// lands (then the block becomes a run in seed-readme.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as loom from '../src/index.js';
import { Actor, ActorRuntime, RuntimeStateError, type ActorInfrastructureConfig } from '../src/index.js';
import { silentLogger } from '../src/core/logger.js';

type Status = 'runs' | 'needs' | 'not built' | 'nothing to run';
/** Each seed block: its first line, its status, and for "not built" what would show it is built. */
const BLOCKS: { first: string; status: Status; built?: { subpath?: string; exports?: string[] } }[] = [
  { first: '// Message with idempotency key - guaranteed to execute only once', status: 'needs' },
  { first: 'class PaymentProcessor extends Actor {', status: 'needs' },
  { first: '// Trace event with references (not full data)', status: 'runs' },
  { first: '// Compile actor to WASM', status: 'needs' },
  { first: 'const actor = new MyActor(context, state, tracer, {', status: 'needs' },
  { first: 'npm install @certo-ventures/loom', status: 'needs' },
  { first: "import { Actor, RedisStateAdapter, BullMQMessageAdapter } from '@certo-ventures/loom';", status: 'needs' },
  { first: '# loom.config.yaml', status: 'runs' },
  { first: "import { loadConfig } from '@certo-ventures/loom/config';", status: 'needs' },
  { first: '┌─────────────────────────────────────────────────────┐', status: 'nothing to run' },
  { first: '1. Message arrives with idempotencyKey', status: 'nothing to run' },
  { first: "version: '3.8'", status: 'needs' },
  { first: "import { createHealthServer } from '@certo-ventures/loom/observability';", status: 'needs' },
  { first: 'interface ActorInfrastructureConfig {', status: 'runs' },
  { first: '// Redis', status: 'needs' },
  { first: '// Compose multiple WASM actors', status: 'needs' },
  { first: '// Register actor for discovery', status: 'needs' },
  { first: '// HTTP trigger', status: 'needs' },
];

const seed = readFileSync(new URL('./seed/LOOM-README.md', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; exports: Record<string, unknown> };

describe('the README status table of the seed README blocks', () => {
  it('has one row per code block of the seed, in order, with the status Loom has', () => {
    const blocks = [...seed.matchAll(/```\w*\n(.*?)```/gs)].map((m) => m[1]!.trim().split('\n')[0]!.trim());
    assert.deepEqual(blocks, BLOCKS.map((b) => b.first), 'the seed copy changed: update BLOCKS and the README table');
    const rows = new Map([...readme.matchAll(/^\| (\d+) \| ([^|]+)\| ([^|]+)\|/gm)].map((m) => [Number(m[1]), m[3]!.trim()]));
    BLOCKS.forEach((b, i) => {
      const row = rows.get(i + 1);
      assert.ok(row, `README Status has no row for seed block ${i + 1} (${b.first})`);
      const said: Status = /^not built/.test(row) ? 'not built' : /^needs/.test(row) ? 'needs' : /^nothing to run/.test(row) ? 'nothing to run' : 'runs';
      assert.equal(said, b.status, `README Status row ${i + 1} says "${row}"`);
    });
  });

  it('lists as not built only what is absent: a feature that lands fails here until its row is updated', () => {
    BLOCKS.forEach((b, i) => {
      if (!b.built) return;
      const sub = b.built.subpath;
      assert.ok(!sub || !(sub in pkg.exports), `seed block ${i + 1}: ${sub} exists now; run the block in seed-readme.test.ts and update its README row`);
      for (const name of b.built.exports ?? []) assert.ok(!(name in loom), `seed block ${i + 1}: loom exports ${name} now; update its README row`);
    });
  });

  it('block 5, Secrets Management: the seed\'s constructor takes the secret references, resolved by resolveActorSecrets', async () => {
    class MyActor extends Actor {} // added
    const [context, state, tracer] = [{}, {}, {}]; // added
    const actor = new MyActor(context, state, tracer, {
      secrets: {
        apiKey: 'vault://my-vault/api-key',
        dbPassword: 'vault://my-vault/db-password'
      }
    });
    // Until resolved (by the runtime before each attempt, or resolveActorSecrets), reading them says what to do.
    assert.throws(() => actor.secrets, (err: unknown) => err instanceof RuntimeStateError && /apiKey, dbPassword/.test(err.message) && /resolveActorSecrets/.test(err.message));
  });

  it('block 6, Installation: the package is named loom (the seed says @certo-ventures/loom)', () => {
    assert.equal(pkg.name, 'loom');
  });

  it('block 14, ActorInfrastructureConfig: every field with its documented default is accepted, and a bad ordering is refused by name', async (t) => {
    const config: ActorInfrastructureConfig = {
      timeout: 30000, idempotencyTtl: 86400,
      retryPolicy: { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 1000, maxDelayMs: 30000, multiplier: 2 },
      messageOrdering: 'standard', concurrency: 1,
    };
    class Settings extends Actor { async run() { return 1; } }
    const runtime = new ActorRuntime({ dbPath: ':memory:', logger: silentLogger });
    t.after(() => runtime.stop());
    runtime.register(Settings, config);
    runtime.register(Settings, { ...config, messageOrdering: 'fifo' });
    runtime.register(Settings, { ...config, concurrency: 5 }); // test/concurrency.test.ts runs it
    assert.throws(() => runtime.register(Settings, { messageOrdering: 'random' as 'fifo' }), /messageOrdering must be 'fifo' or 'standard'/);
  });
});
