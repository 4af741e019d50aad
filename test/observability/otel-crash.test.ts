import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RedisStore } from '../../src/adapters/redis/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDir } from '../support/runtime.js';
import { dropPrefix, openAdmin, redisUnavailable, redisUrl } from '../support/redis.js';
import { until } from './backends.js';
import type { SpanLine } from './otel-support.js';

const { admin, unreachable } = await openAdmin();
if (unreachable) redisUnavailable('OpenTelemetry across worker processes', unreachable);
else {
  it('OpenTelemetry across two worker processes and a Redis transport: one span tree, and no duplicate spans after a crash and replay', { timeout: 180_000 }, async () => {
    const tmp = tempDir();
    const prefix = `obs-otel-${randomBytes(4).toString('hex')}:`;
    const marker = join(tmp.dir, 'crashed');
    const files = [join(tmp.dir, 'spans-a.jsonl'), join(tmp.dir, 'spans-b.jsonl')];
    const outputs = ['', ''];
    const children: ChildProcess[] = [];
    const store = new RedisStore(redisUrl, { prefix, logger: silentLogger });
    after(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await store.close();
      await dropPrefix(admin, prefix);
      admin.disconnect();
      tmp.cleanup();
    });
    const start = (i: number, send: boolean) => {
      const c = spawn(process.execPath, ['--import', 'tsx', 'test/observability/otel-worker.ts', prefix, files[i]!, marker, ...(send ? ['send'] : [])], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      c.stdout!.on('data', (d: Buffer) => (outputs[i] += d.toString()));
      c.stderr!.on('data', (d: Buffer) => (outputs[i] += d.toString()));
      children.push(c);
      return c;
    };
    start(1, false);
    await until(() => outputs[1]!.includes('ready'), 60_000, 'worker B');
    start(0, true);
    await until(() => outputs[0]!.includes('SENT') || existsSync(marker), 60_000, `the send (A: ${outputs[0]}; B: ${outputs[1]})`);
    await until(() => outputs[0]!.includes('SENT'), 30_000, 'the SENT line');
    const id = /SENT (\S+)/.exec(outputs[0]!)![1]!;
    await store.init();
    await until(async () => (await store.getInvocation(id))?.status === 'completed', 45_000, `the order to complete (A: ${outputs[0]}; B: ${outputs[1]})`);
    assert.ok(existsSync(marker), 'a worker crashed in the middle of Payments.charge');
    const crashedPid = Number(readFileSync(marker, 'utf8'));
    const crashed = children.find((c) => c.pid === crashedPid)!;
    await until(() => crashed.signalCode === 'SIGKILL', 5000, 'the crashed worker to be gone');

    const spans: SpanLine[] = files.filter((f) => existsSync(f)).flatMap((f) => readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as SpanLine));
    const count = (name: string) => spans.filter((s) => s.name === name).length;
    assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace across both processes');
    assert.equal(new Set(spans.map((s) => s.pid)).size, 2, 'spans from both worker processes');
    for (const step of ['step reserve', 'step charge', 'step settle']) assert.equal(count(step), 1, `${step}: one span, whatever replayed it`);
    assert.equal(count('send Orders'), 1);
    assert.equal(count('send Payments'), 1, 'the replayed call sent nothing again');
    assert.equal(count('process Payments'), 1, 'the crashed attempt never ended; the replay is the one Payments span');
    // Orders' first attempt ran where placement put it. On the worker that crashed, its span is there only if
    // the attempt ended (suspended on the call) before the crash; anywhere else it always is. The resume is
    // always one span, on the surviving worker.
    const sendPayments = spans.find((s) => s.name === 'send Payments')!;
    const orders = spans.filter((s) => s.name === 'process Orders');
    const firstLost = sendPayments.pid === crashedPid && !orders.some((s) => s.pid === crashedPid);
    assert.equal(orders.filter((s) => s.pid !== crashedPid).length, sendPayments.pid === crashedPid ? 1 : 2, 'the resume when the reply came (and the first attempt, off the crashed worker)');
    assert.equal(orders.length, firstLost ? 1 : 2, 'the first attempt (unless it never ended), and the resume when the reply came');
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const processPayments = spans.find((s) => s.name === 'process Payments')!;
    assert.equal(processPayments.parentSpanId, sendPayments.spanId, 'the consumer span is the child of the producer span, across the store and transport');
    assert.notEqual(processPayments.pid, crashedPid);
    assert.equal(byId.get(spans.find((s) => s.name === 'step settle')!.parentSpanId!)?.name, 'process Payments');
    for (const s of spans.filter((x) => x.name === 'process Orders')) assert.equal(byId.get(s.parentSpanId!)?.name, 'send Orders');
    // Only spans whose parent attempt never ended can miss it: the crashed Payments attempt's step, and the
    // send of an Orders attempt that was still waiting on the crashed worker.
    const orphans = spans.filter((s) => s.parentSpanId !== undefined && !byId.has(s.parentSpanId));
    const expected = firstLost ? [['send Payments', crashedPid], ['step charge', crashedPid]] : [['step charge', crashedPid]];
    assert.deepEqual(orphans.map((s) => [s.name, s.pid]).sort(), expected.sort());
  });
}
