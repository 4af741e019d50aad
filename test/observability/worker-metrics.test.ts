import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tempDir } from '../support/runtime.js';
import { freePort } from '../support/net.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { partitionOf } from '../../src/core/ids.js';
import type { NewInvocation } from '../../src/ports/store.js';
import { parseProm, total } from './prom.js';
import { until } from './backends.js';

const inv = (id: string, actorType: string, actorId: string, method: string, args: unknown[]): NewInvocation => ({
  id,
  actorType,
  actorId,
  method,
  argsJson: JSON.stringify(args),
  partition: partitionOf(actorType, actorId, 4),
  ttlMs: 60_000,
});

it('loom worker --metrics-port serves /metrics with the counts of a known workload, /health and /ready', { timeout: 60_000 }, async (t) => {
  const tmp = tempDir();
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', 'test/observability/metrics-worker.ts', '--metrics-port', String(port), '--quiet'], {
    env: { ...process.env, LOOM_TEST_DB: tmp.db },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const store = new SqliteStore({ path: tmp.db });
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await store.close();
    tmp.cleanup();
  });
  await until(() => out.includes('health and metrics on'), 20_000, `the worker to start (output: ${out})`);
  await store.init();
  await store.enqueue([
    ...[1, 2, 3, 4, 5].map((i) => inv(`c${i}`, 'Counter', `c${i}`, 'add', [i])),
    inv('f1', 'Fanout', 'f1', 'go', []),
    inv('f2', 'Fanout', 'f2', 'go', []),
    inv('b1', 'Bad', 'b1', 'fail', []),
    inv('b2', 'Bad', 'b2', 'fail', []),
    inv('b3', 'Bad', 'b3', 'boom', []),
  ]);
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    return parseProm(await res.text());
  };
  let s = await scrape();
  await until(async () => {
    s = await scrape();
    return total(s, 'loom_invocations_finished_total') >= 12;
  }, 20_000, 'every invocation to finish');
  assert.equal(total(s, 'loom_invocations_finished_total', { actor_type: 'Counter', outcome: 'completed' }), 7);
  assert.equal(total(s, 'loom_invocations_finished_total', { actor_type: 'Fanout', outcome: 'completed' }), 2);
  assert.equal(total(s, 'loom_invocations_finished_total', { actor_type: 'Bad', outcome: 'failed' }), 2);
  assert.equal(total(s, 'loom_invocations_finished_total', { actor_type: 'Bad', outcome: 'dead_lettered' }), 1);
  assert.equal(total(s, 'loom_retries_total', { actor_type: 'Bad' }), 1);
  assert.equal(total(s, 'loom_invocations_accepted_total', { actor_type: 'Counter' }), 2, 'the two messages the Fanouts sent');
  assert.equal(total(s, 'loom_attempt_duration_seconds_count', { actor_type: 'Counter' }), 7);
  assert.equal(total(s, 'loom_step_duration_seconds_count', { actor_type: 'Counter' }), 7);
  assert.equal(total(s, 'loom_partitions_held'), 4);
  assert.ok(total(s, 'loom_lease_acquisitions_total') >= 4);
  assert.ok(total(s, 'loom_store_commit_batch_size_count') >= 1);
  assert.equal(total(s, 'loom_store_up'), 1);
  assert.equal(s.filter((x) => x.name === 'loom_queue_depth').length, 4, 'one queue-depth series per held partition');
  assert.ok(!s.some((x) => Object.values(x.labels).some((v) => /^c\d$|^b\d$|^f\d$/.test(v))), 'no actor or invocation id as a label value');

  const health = await fetch(`http://127.0.0.1:${port}/health`);
  assert.equal(health.status, 200);
  const body = (await health.json()) as { status: string; partitions: number; store: { reachable: boolean }; actors: number; messages: number };
  assert.equal(body.status, 'ok');
  assert.equal(body.partitions, 4);
  assert.equal(body.store.reachable, true);
  assert.equal(typeof body.actors, 'number');
  assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);

  // A second worker on the same port fails before taking leases, naming the port.
  const second = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', 'test/observability/metrics-worker.ts', '--metrics-port', String(port)], {
    env: { ...process.env, LOOM_TEST_DB: tmp.db },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err2 = '';
  second.stderr.on('data', (d: Buffer) => (err2 += d.toString()));
  second.stdout.on('data', (d: Buffer) => (err2 += d.toString()));
  const code = await new Promise<number | null>((r) => second.on('exit', (c) => r(c)));
  assert.equal(code, 1, err2);
  assert.match(err2, new RegExp(`port ${port}.*already in use`));

  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  assert.match(out, /stopped cleanly/);
});
