// Three worker processes share one schedule ticking every second for about 30
// ticks. The owner of the schedule's partition is killed with SIGKILL, then the
// next owner is SIGSTOPped past its lease and continued. Every tick must have
// run exactly once, and none may be missing.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ActorRuntime, type Store } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { partitionOf } from '../../src/core/ids.js';
import { SCHEDULE_TYPE } from '../../src/triggers/index.js';
import { sendOnly } from '../cluster/backends.js';
import { childStore } from '../support/store-child.js';
import { Reporter } from './schedule-actors.js';

const WORKER = fileURLToPath(new URL('./schedule-worker.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  id: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  out: string[];
}

export async function scheduleCluster(kind: 'redis' | 'postgres', log: (m: string) => void): Promise<{ ticks: number; cleanup: () => Promise<void> }> {
  const ns = `loom_sched_${randomBytes(5).toString('hex')}`;
  const spec = kind === 'redis' ? `redis:${ns}:` : `postgres:${ns}`;
  const procs: Proc[] = [];
  const start = (id: string): Proc => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: { ...process.env, LOOM_CHILD_STORE: spec, LOOM_WORKER_ID: id },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p: Proc = { id, child, out: [], exited: new Promise((r) => child.on('close', r)) };
    child.stdout!.setEncoding('utf8').on('data', (d: string) => p.out.push(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => p.out.push(d));
    procs.push(p);
    return p;
  };
  const store: Store = await childStore(spec);
  const client = new ActorRuntime({ store: sendOnly(store), logger: silentLogger, partitions: 64, workerId: 'client' });
  client.register(Reporter);
  client.schedules.configure({ checkIntervalMs: 3_600_000 });
  const cleanup = async () => {
    for (const p of procs) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
    await Promise.all(procs.map((p) => p.exited));
    await client.stop();
    if (kind === 'redis') {
      const { openAdmin, dropPrefix } = await import('../support/redis.js');
      const { admin: r } = await openAdmin();
      await dropPrefix(r, `${ns}:`);
      await r.quit();
    } else {
      const { adminPool } = await import('../support/postgres.js');
      const pool = adminPool();
      await pool.query(`DROP SCHEMA IF EXISTS ${ns} CASCADE`);
      await pool.end();
    }
  };
  try {
    await client.start();
    const ws = ['w1', 'w2', 'w3'].map(start);
    for (const w of ws) {
      for (let end = Date.now() + 60_000; !w.out.join('').includes('ready'); await sleep(50)) {
        if (Date.now() > end) throw new Error(`${w.id} did not start: ${w.out.join('')}`);
      }
    }
    const id = 'every-second';
    const partition = partitionOf(SCHEDULE_TYPE, id, 64);
    const owner = async (): Promise<string | undefined> => {
      const now = await store.now();
      return (await store.leases.list()).find((l) => l.partition === partition && l.expiresAt > now)?.owner;
    };
    const ownerProc = async (not?: string): Promise<Proc> => {
      for (let end = Date.now() + 30_000; ; await sleep(100)) {
        const o = await owner();
        const p = procs.find((x) => x.id === o && x.id !== not);
        if (p) return p;
        if (Date.now() > end) throw new Error(`no live owner of partition ${partition}; leases: ${JSON.stringify(await store.leases.list())}`);
      }
    };
    await client.schedules.put({ id, cron: '* * * * * *', actorType: 'Reporter', actorId: 'r', method: 'run', catchUp: 'all' });
    const t0 = Date.now();
    await sleep(8000);
    const first = await ownerProc();
    log(`${kind}: SIGKILL ${first.id}, the owner of partition ${partition}, at +${Date.now() - t0} ms`);
    first.child.kill('SIGKILL');
    await first.exited;
    await sleep(8000);
    const second = await ownerProc(first.id);
    log(`${kind}: SIGSTOP ${second.id}, the next owner, at +${Date.now() - t0} ms, for 6 s (lease TTL 2 s)`);
    second.child.kill('SIGSTOP');
    await sleep(6000);
    second.child.kill('SIGCONT');
    log(`${kind}: SIGCONT ${second.id} at +${Date.now() - t0} ms`);
    await sleep(8000);
    await client.schedules.pause(id);
    const last = await client.schedules.get(id);
    // Wait for every tick up to the cursor to have run.
    const until = Date.parse(last!.lastTick);
    let ticks: number[] = [];
    for (let end = Date.now() + 30_000; ; await sleep(200)) {
      const st = await store.loadState('Reporter', 'r');
      ticks = ((st ? (JSON.parse(st.stateJson) as { ticks: string[] }).ticks : []) as string[]).map((t) => Date.parse(t));
      if (ticks.includes(until)) break;
      if (Date.now() > end) throw new Error(`tick ${last!.lastTick} never ran; ran ${ticks.length}`);
    }
    await sleep(1000);
    const st = await store.loadState('Reporter', 'r');
    ticks = (JSON.parse(st!.stateJson) as { ticks: string[] }).ticks.map((t) => Date.parse(t));
    const sorted = [...ticks].sort((a, b) => a - b);
    const dupes = sorted.filter((t, i) => i > 0 && t === sorted[i - 1]);
    assert.deepEqual(dupes.map((t) => new Date(t).toISOString()), [], `ticks run twice on ${kind}`);
    const missing: string[] = [];
    for (let t = sorted[0]!; t <= sorted.at(-1)!; t += 1000) if (!sorted.includes(t)) missing.push(new Date(t).toISOString());
    assert.deepEqual(missing, [], `ticks missed on ${kind}`);
    assert.ok(sorted.length >= 28, `${sorted.length} ticks ran; expected about 30`);
    assert.ok(sorted.at(-1)! >= until, 'the last tick ran');
    log(`${kind}: ${sorted.length} ticks from ${new Date(sorted[0]!).toISOString()} to ${new Date(sorted.at(-1)!).toISOString()}, each once`);
    return { ticks: sorted.length, cleanup };
  } catch (err) {
    for (const p of procs) log(`${p.id}: ${p.out.join('').slice(-2000)}`);
    await cleanup();
    throw err;
  }
}
