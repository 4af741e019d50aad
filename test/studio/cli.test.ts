import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tempDir } from '../support/runtime.js';
import { freePort } from '../support/net.js';

const loom = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

it('loom studio serves Studio over a SQLite store, and on SIGTERM stops and exits 0', { timeout: 60_000 }, async () => {
  const tmp = tempDir();
  const audit = `${tmp.db}.audit.jsonl`;
  const { SqliteStore } = await import('../../src/adapters/sqlite/store.js');
  const made = new SqliteStore({ path: tmp.db });
  await made.init();
  await made.close();
  const child = loom(['studio', '--store', tmp.db, '--port', '0', '--audit', audit]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    for (let i = 0; i < 400 && !/Studio at (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /Loom Studio at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    assert.ok(url, out);
    const overview = await (await fetch(new URL('/api/overview', url))).json() as { store: string };
    assert.equal(overview.store, tmp.db);
    const sent = await fetch(new URL('/api/invoke', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actorType: 'Account', actorId: 'a', method: 'deposit', args: [1], mode: 'send' }) });
    assert.equal(sent.status, 200);
    assert.match(readFileSync(audit, 'utf8'), /"action":"send","target":"Account\/a.deposit","from":"127.0.0.1","outcome":"ok"/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, out);
  } finally {
    child.kill('SIGKILL');
    tmp.cleanup();
  }
});

it('loom studio refuses a non-loopback bind without a token, with exit code 2 and the fix', { timeout: 30_000 }, () => {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'studio', '--host', '0.0.0.0', '--port', '0'], { encoding: 'utf8', env: { ...process.env, LOOM_STUDIO_TOKEN: '' } });
  assert.equal(res.status, 2, res.stderr);
  assert.match(res.stderr, /--host 0\.0\.0\.0 makes Studio reachable from other machines: pass --token/);
});

it('loom dev serves Studio beside its worker, with the module\'s actor types and settings', { timeout: 60_000 }, async () => {
  const tmp = tempDir();
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'dev', 'test/cli/worker-module.ts'], {
    env: { ...process.env, LOOM_TEST_DB: tmp.db, LOOM_STUDIO_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    for (let i = 0; i < 400 && !out.includes('Loom Studio at'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, new RegExp(`Loom Studio at http://127\\.0\\.0\\.1:${port}/`));
    const overview = await (await fetch(`http://127.0.0.1:${port}/api/overview`)).json() as { types: { name: string; methods: string[]; settings: { timeoutMs: number } }[] };
    assert.deepEqual(overview.types.map((t) => [t.name, t.methods, t.settings.timeoutMs]), [['Slow', ['work'], 30_000]]);
    const called = await (await fetch(`http://127.0.0.1:${port}/api/invoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actorType: 'Slow', actorId: 's', method: 'work', args: [1], mode: 'call' }) })).json() as { result: number };
    assert.equal(called.result, 1);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, out);
  } finally {
    child.kill('SIGKILL');
    tmp.cleanup();
  }
});
