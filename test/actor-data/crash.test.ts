// kill -9 mid-append on SQLite, Redis and PostgreSQL: after every kill, each
// agent's logs, kv and state, read back through the store's own ports, are
// exactly one committed turn's worth (all three logs end at the same turn, with
// no gap, no duplicate and no torn entry; log `c` holds its last 5; kv `n` and
// this.state.n name that turn), and no acknowledged turn is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../src/index.js';
import { forEachStore, type StoreMaker } from '../support/stores.js';
import { prng } from '../support/prng.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const WORKER = join(HERE, 'crash-worker.ts');
const ACTORS = 8;
const TURNS = 60;
const KILLS = 4;
const PAD = 'x'.repeat(2000);

interface Run {
  acked: Map<string, number>;
  done: boolean;
  killed: boolean;
  stderr: string;
}

// Workers still running when the test ends (a failure or a timeout mid-run) are killed by its after hook,
// and by this one if the test process exits first.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Runs the worker; kills it once it has acknowledged `killAfterAcks` turns (none: runs to the end). */
function run(kind: string, address: string, killAfterAcks: number | undefined): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, kind, address, String(ACTORS), String(TURNS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const r: Run = { acked: new Map(), done: false, killed: false, stderr: '' };
    let acks = 0;
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const [word, actor, n] = line.split(' ');
        if (word === 'ack') {
          r.acked.set(actor!, Number(n));
          if (killAfterAcks !== undefined && ++acks >= killAfterAcks && !r.killed) {
            r.killed = true;
            child.kill('SIGKILL');
          }
        }
        if (word === 'ALL') r.done = true;
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (r.stderr += c));
    child.on('error', (err) => {
      live.delete(child);
      fail(err);
    });
    child.on('close', () => {
      live.delete(child);
      done(r);
    });
  });
}

/** Checks every agent's data is one committed turn's worth, as the store reads it back; returns the turn per agent. */
async function check(store: Store, acked: Map<string, number>): Promise<Map<string, number>> {
  const data = store.actorData;
  assert.ok(data, 'the store reads actor data');
  const at = new Map<string, number>();
  for (let a = 0; a < ACTORS; a++) {
    const id = `s${a}`;
    const state = await store.loadState('Scribe', id);
    const n = state ? (JSON.parse(state.stateJson) as { n: number }).n : 0;
    const kv: string | undefined = await data.readKey('Scribe', id, 'n');
    assert.equal(kv === undefined ? 0 : Number(kv), n, `${id}: kv n and this.state.n commit together`);
    for (const name of ['a', 'b', 'c']) {
      const first = name === 'c' ? Math.max(0, n - 5) : 0;
      assert.deepEqual(await data.logBounds('Scribe', id, name), n === 0 ? { first: 0, next: 0 } : { first, next: n }, `${id} log ${name} bounds`);
      // The whole index range, below the bounds and past them: nothing shows outside the kept entries.
      const entries = await data.readLog('Scribe', id, name, 0, Number.MAX_SAFE_INTEGER);
      assert.deepEqual(entries.map((e) => e.index), Array.from({ length: n - first }, (_, i) => first + i), `${id} log ${name} indexes`);
      for (const e of entries) {
        const v = JSON.parse(e.valueJson) as { n: number; pad: string };
        assert.equal(v.n, e.index + 1, `${id} log ${name} entry ${e.index}`);
        assert.equal(v.pad, PAD, `${id} log ${name} entry ${e.index} is whole`);
      }
    }
    assert.ok(n >= (acked.get(id) ?? 0), `${id}: turn ${acked.get(id)} was acknowledged, the store has ${n}`);
    at.set(id, n);
  }
  return at;
}

/** Opens the store fresh (as a restarted process would), checks it and closes it. */
async function checkFresh(maker: StoreMaker, ns: string, acked: Map<string, number>): Promise<Map<string, number>> {
  const store = maker.make(ns);
  try {
    await store.init();
    return await check(store, acked);
  } finally {
    await store.close();
  }
}

const makers: StoreMaker[] = [];
await forEachStore('actor data kill -9', (m) => void makers.push(m), ['sqlite', 'redis', 'postgres']);

for (const maker of makers) {
  test(`kill -9 mid-append leaves every log, key and state exactly as committed (${maker.kind})`, { timeout: 240_000 }, async (t) => {
    const ns = maker.newNamespace();
    const spec = maker.childSpec(ns)!;
    const address = spec.slice(spec.indexOf(':') + 1);
    t.after(async () => {
      for (const child of live) child.kill('SIGKILL');
      await maker.cleanup();
    });
    const rand = prng(Number(process.env['LOOM_CRASH_SEED'] ?? 18));
    const acked = new Map<string, number>();
    let kills = 0;
    for (let i = 0; i <= KILLS; i++) {
      const last = i === KILLS;
      const r = await run(maker.kind, address, last ? undefined : 5 + Math.floor(rand() * 60));
      for (const [id, n] of r.acked) acked.set(id, Math.max(acked.get(id) ?? 0, n));
      if (r.killed) kills++;
      await checkFresh(maker, ns, acked);
      if (r.done) break;
      assert.ok(r.killed, `the worker ended without finishing: ${r.stderr.slice(-1500)}`);
    }
    assert.ok(kills >= 2, `at least two kills landed mid-run (${kills})`);
    const end = await checkFresh(maker, ns, acked);
    for (const n of end.values()) assert.equal(n, TURNS);
  });
}
