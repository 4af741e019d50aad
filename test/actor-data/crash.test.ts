// kill -9 mid-append on SQLite: after every kill, each agent's logs, kv and state
// are exactly one committed turn's worth (all three logs end at the same turn,
// with no gap, no duplicate and no torn entry; log `c` holds its last 5; kv `n`
// and this.state.n name that turn), and no acknowledged turn is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tempDir } from '../support/runtime.js';
import { prng } from '../support/prng.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const WORKER = join(HERE, 'crash-worker.ts');
const ACTORS = 8;
const TURNS = 60;
const KILLS = 4;

interface Run {
  acked: Map<string, number>;
  done: boolean;
  killed: boolean;
  stderr: string;
}

/** Runs the worker; kills it once it has acknowledged `killAfterAcks` turns (none: runs to the end). */
function run(db: string, killAfterAcks: number | undefined): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, db, String(ACTORS), String(TURNS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const r: Run = { acked: new Map(), done: false, killed: false, stderr: '' };
    let acks = 0;
    let partial = '';
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
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
    child.on('error', fail);
    child.on('close', () => {
      clearTimeout(deadline);
      done(r);
    });
  });
}

/** Checks every agent's data is one committed turn's worth; returns the turn per agent. */
function check(db: string, acked: Map<string, number>): Map<string, number> {
  const h = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const at = new Map<string, number>();
    for (let a = 0; a < ACTORS; a++) {
      const id = `s${a}`;
      const state = h.prepare(`SELECT state_json FROM loom_state WHERE actor_type = 'Scribe' AND actor_id = ?`).get(id) as { state_json: string } | undefined;
      const n = state ? (JSON.parse(state.state_json) as { n: number }).n : 0;
      const kv = h.prepare(`SELECT value_json FROM loom_kv WHERE actor_type = 'Scribe' AND actor_id = ? AND key = 'n'`).get(id) as { value_json: string } | undefined;
      assert.equal(kv ? Number(kv.value_json) : 0, n, `${id}: kv n and this.state.n commit together`);
      for (const name of ['a', 'b', 'c']) {
        const b = h.prepare(`SELECT first_idx, next_idx FROM loom_logs WHERE actor_type = 'Scribe' AND actor_id = ? AND name = ?`).get(id, name) as { first_idx: number; next_idx: number } | undefined;
        const rows = h.prepare(`SELECT idx, value_json FROM loom_log_entries WHERE actor_type = 'Scribe' AND actor_id = ? AND name = ? ORDER BY idx`).all(id, name) as { idx: number; value_json: string }[];
        const first = name === 'c' ? Math.max(0, n - 5) : 0;
        assert.deepEqual(b ? [b.first_idx, b.next_idx] : [0, 0], n === 0 ? [0, 0] : [first, n], `${id} log ${name} bounds`);
        assert.deepEqual(rows.map((r) => r.idx), Array.from({ length: n - first }, (_, i) => first + i), `${id} log ${name} indexes`);
        for (const r of rows) assert.equal((JSON.parse(r.value_json) as { n: number; pad: string }).n, r.idx + 1, `${id} log ${name} entry ${r.idx}`);
      }
      assert.ok(n >= (acked.get(id) ?? 0), `${id}: turn ${acked.get(id)} was acknowledged, the store has ${n}`);
      at.set(id, n);
    }
    return at;
  } finally {
    h.close();
  }
}

test('kill -9 mid-append leaves every log, key and state exactly as committed (SQLite)', { timeout: 240_000 }, async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const rand = prng(Number(process.env['LOOM_CRASH_SEED'] ?? 18));
  const acked = new Map<string, number>();
  let kills = 0;
  for (let i = 0; i <= KILLS; i++) {
    const last = i === KILLS;
    const r = await run(dir.db, last ? undefined : 5 + Math.floor(rand() * 60));
    for (const [id, n] of r.acked) acked.set(id, Math.max(acked.get(id) ?? 0, n));
    if (r.killed) kills++;
    check(dir.db, acked);
    if (r.done) break;
    assert.ok(r.killed, `the worker ended without finishing: ${r.stderr.slice(-1500)}`);
  }
  assert.ok(kills >= 2, `at least two kills landed mid-run (${kills})`);
  const end = check(dir.db, acked);
  for (const n of end.values()) assert.equal(n, TURNS);
});
