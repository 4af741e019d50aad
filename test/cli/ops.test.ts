import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoomClient } from '../../src/admin/client.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { tempDir } from '../support/runtime.js';

// The built binary, as users run it: these tests build the package first.
const BIN = 'dist/cli/main.js';

const tmp = tempDir();
const runs = join(tmp.dir, 'runs.txt');
let dev: ChildProcess | undefined;
let client: LoomClient;

/** Runs `loom …` to completion; returns its exit code and output. */
function loom(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LOOM_STORE: tmp.db } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('the loom operations CLI (built binary, against loom dev on SQLite)', { timeout: 240_000 }, () => {
  before(async () => {
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
    writeFileSync(runs, '');
    dev = spawn(process.execPath, [BIN, 'dev', 'test/cli/ops-worker.mjs'], { env: { ...process.env, LOOM_TEST_DB: tmp.db, LOOM_TEST_RUNS: runs }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    dev.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    dev.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await until(`loom dev to start (${out})`, () => out.includes('store:'));
    assert.match(out, new RegExp(`store: ${tmp.db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    client = new LoomClient({ store: new SqliteStore({ path: tmp.db }), partitions: 4, logger: silentLogger });
  });

  after(async () => {
    await client?.close();
    dev?.kill('SIGKILL');
    tmp.cleanup();
  });

  it('call prints the result and exits 0, or names the error and exits 1', () => {
    const ok = loom('call', 'Ops/a', 'add', '--args', '[2]', '--partitions', '4');
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out.trim(), '2');
    const failed = loom('call', 'Ops/a', 'refuse', '--partitions', '4');
    assert.equal(failed.code, 1);
    assert.match(failed.err, /card declined/);
  });

  it('send, list with the waiting reason, show, resolve the promise, and show --follow to the end', async () => {
    const sent = loom('send', 'Ops/p', 'approve', '--partitions', '4');
    assert.equal(sent.code, 0, sent.err);
    const id = sent.out.trim();
    await until('it to suspend', async () => (await client.getInvocation(id)).waiting?.kind === 'awaiting-promise');
    const listed = loom('invocations', 'list', '--type', 'Ops', '--status', 'pending', '-o', 'json');
    assert.equal(listed.code, 0, listed.err);
    const views = JSON.parse(listed.out) as { record: { id: string }; waiting?: { kind: string; promiseId?: string } }[];
    const mine = views.find((v) => v.record.id === id);
    assert.equal(mine?.waiting?.kind, 'awaiting-promise');
    const table = loom('invocations', 'list', '--type', 'Ops', '--waiting', 'awaiting-promise');
    assert.match(table.out, /^ID\s+ACTOR\s+METHOD\s+STATUS/m);
    assert.match(table.out, new RegExp(`${id}\\s+Ops/p\\s+approve\\s+pending.*awaiting promise promise:${id}#approval`));
    const follow = spawn(process.execPath, [BIN, 'show', id, '--follow', '--interval', '100'], { env: { ...process.env, LOOM_STORE: tmp.db } });
    let followed = '';
    follow.stdout.on('data', (d: Buffer) => (followed += d.toString()));
    const done = new Promise<number | null>((r) => follow.on('exit', r));
    await until('show to print', () => followed.includes('awaiting promise'));
    const resolved = loom('promise', 'resolve', mine!.waiting!.promiseId!, '--value', '"yes"');
    assert.equal(resolved.code, 0, resolved.err);
    assert.equal(await done, 0);
    assert.match(followed, /completed: "yes"/);
    const again = loom('promise', 'resolve', mine!.waiting!.promiseId!, '--value', '"no"');
    assert.match(again.out, /already settled; nothing changed/);
  });

  it('state get, a stale set refused with nothing changed, a current one applied', () => {
    loom('call', 'Ops/s', 'add', '--args', '[1]', '--partitions', '4');
    const got = JSON.parse(loom('state', 'get', 'Ops/s').out) as { version: number; state: { n: number } };
    assert.deepEqual(got.state, { n: 1 });
    loom('call', 'Ops/s', 'add', '--args', '[1]', '--partitions', '4');
    const stale = loom('state', 'set', 'Ops/s', '{"n":100}', '--version', String(got.version));
    assert.equal(stale.code, 1);
    assert.match(stale.err, /committed since it was read/);
    assert.deepEqual((JSON.parse(loom('state', 'get', 'Ops/s').out) as { state: unknown }).state, { n: 2 });
    const set = loom('state', 'set', 'Ops/s', '{"n":100}', '--version', String(got.version + 1));
    assert.equal(set.code, 0, set.err);
    assert.equal(loom('call', 'Ops/s', 'add', '--args', '[1]', '--partitions', '4').out.trim(), '101');
  });

  it('bad input: a clear message, a non-zero exit, nothing changed', () => {
    const cases: [string[], number, RegExp][] = [
      [['invocations', 'list', '--status', 'bogus'], 1, /unknown status "bogus"/],
      [['invocations', 'show', 'no-such-id'], 1, /no invocation no-such-id/],
      [['invocations', 'cancel'], 2, /give invocation ids, or filter flags/],
      [['call', 'NoSlash', 'm'], 2, /write it as Type\/id/],
      [['call', 'Ops/a', 'add', '--args', '{oops'], 2, /--args takes JSON/],
      [['invocations', 'list', '--store', join(tmp.dir, 'nothing.db')], 2, /no Loom store at/],
      [['invocations', 'list', '--store', 'redis://127.0.0.1:1'], 1, /127\.0\.0\.1:1/],
      [['invocations', 'list', '--id', 'x'], 2, /give --type too/],
    ];
    for (const [args, code, message] of cases) {
      const r = loom(...args);
      assert.equal(r.code, code, `loom ${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message, `loom ${args.join(' ')}`);
    }
    const done = loom('send', 'Ops/c', 'add', '--args', '[1]', '--partitions', '4').out.trim();
    return until('it to complete', async () => (await client.getInvocation(done)).status === 'completed').then(() => {
      const r = loom('invocations', 'cancel', done);
      assert.equal(r.code, 1);
      assert.match(r.err, /cannot cancel invocation .* it is completed/);
    });
  });

  it('bulk redrive of 1,000 dead letters: killed with -9 half-way, a second run finishes the rest, none runs twice', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => client.send({ actorType: 'Ops', actorId: k, method: 'poison', args: [k], retryPolicy: { maxAttempts: 1 } })));
    }
    const filter = { actorType: 'Ops', method: 'poison' };
    await until('1,000 dead letters', async () => (await client.countInvocations({ ...filter, status: 'dead' })) === 1000, 60_000);
    const dry = loom('dead-letters', 'redrive', '--all', '--type', 'Ops', '--method', 'poison', '--dry-run');
    assert.match(dry.out, /^1000 invocation\(s\) match; dry run, nothing changed/m);
    const first = spawn(process.execPath, [BIN, 'dead-letters', 'redrive', '--all', '--type', 'Ops', '--method', 'poison', '--yes'], { env: { ...process.env, LOOM_STORE: tmp.db } });
    let progress = '';
    first.stderr.on('data', (d: Buffer) => (progress += d.toString()));
    const killed = new Promise<NodeJS.Signals | null>((r) => first.on('exit', (_code, signal) => r(signal)));
    await until('half of them redriven', async () => (await client.countInvocations({ ...filter, status: 'dead' })) <= 500, 60_000);
    first.kill('SIGKILL');
    assert.equal(await killed, 'SIGKILL');
    const left = await client.countInvocations({ ...filter, status: 'dead' });
    assert.ok(left > 0 && left < 1000, `killed half-way (${left} left)`);
    assert.match(progress, /redrive \[.*\] \d+\/1000/, 'a progress bar was shown');
    const second = loom('dead-letters', 'redrive', '--all', '--type', 'Ops', '--method', 'poison', '--yes');
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, new RegExp(`redrive: ${left} done`));
    await until('all 1,000 to complete', async () => (await client.countInvocations({ ...filter, status: 'completed' })) === 1000, 60_000);
    const counts = new Map<string, number>();
    for (const k of readFileSync(runs, 'utf8').split('\n').filter(Boolean)) counts.set(k, (counts.get(k) ?? 0) + 1);
    for (const k of keys) assert.equal(counts.get(k), 2, `${k}: once failing, once redriven`);
  });
});
