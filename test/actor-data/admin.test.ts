// The admin API and `loom state get` read per-key state and page through logs.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Actor } from '../../src/index.js';
import { join } from 'node:path';
import { sqliteRuntime, tempDir } from '../support/runtime.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { startStudio } from '../../src/studio/index.js';

class Chat extends Actor {
  async post(text: string) {
    this.log('messages').append({ text });
    this.kv.set('last', text);
    this.kv.set(`seen:${text}`, true);
  }
}

it('LoomClient and loom state get read a key, the keys, the logs and a page of a log', { timeout: 60_000 }, async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const rt = sqliteRuntime(dir.db);
  t.after(() => rt.stop());
  rt.register(Chat);
  for (let i = 0; i < 12; i++) await rt.call({ actorType: 'Chat', actorId: 'c1', method: 'post', args: [`m${i}`] });
  const admin = rt.admin;
  assert.deepEqual(await admin.getKey('Chat', 'c1', 'last'), { actorType: 'Chat', actorId: 'c1', key: 'last', found: true, value: 'm11' });
  assert.equal((await admin.getKey('Chat', 'c1', 'nope')).found, false);
  assert.deepEqual(await admin.listKeys('Chat', 'c1', { limit: 3 }), ['last', 'seen:m0', 'seen:m1']);
  assert.deepEqual(await admin.listKeys('Chat', 'c1', { after: 'seen:m8', limit: 3 }), ['seen:m9']);
  assert.deepEqual(await admin.listLogs('Chat', 'c1'), [{ name: 'messages', first: 0, next: 12 }]);
  const page = await admin.readLog('Chat', 'c1', 'messages', { from: 4, limit: 3 });
  assert.deepEqual(page.entries, [{ index: 4, value: { text: 'm4' } }, { index: 5, value: { text: 'm5' } }, { index: 6, value: { text: 'm6' } }]);
  assert.deepEqual((await admin.readLog('Chat', 'c1', 'messages', { last: 2 })).entries.map((e) => e.index), [10, 11]);
  await assert.rejects(admin.readLog('Chat', 'c1', 'messages', { limit: 5000 }), /limit must be a whole number from 1 to 1000/);

  const loom = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'state', 'get', 'Chat/c1', ...args], { encoding: 'utf8', env: { ...process.env, LOOM_STORE: dir.db }, timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  assert.equal(loom('--key', 'last')['value'], 'm11');
  assert.deepEqual(loom('--keys', '--limit', '2')['keys'], ['last', 'seen:m0']);
  assert.deepEqual(loom('--logs')['logs'], [{ name: 'messages', first: 0, next: 12 }]);
  const cli = loom('--log', 'messages', '--last', '3') as { entries: { index: number }[]; next: number };
  assert.deepEqual(cli.entries.map((e) => e.index), [9, 10, 11]);
  assert.equal(cli.next, 12);
  assert.deepEqual((loom('--log', 'messages', '--from', '11') as { entries: unknown[] }).entries, [{ index: 11, value: { text: 'm11' } }]);
});

it('Studio serves the keys, a key, the logs and a page of a log of an actor', { timeout: 60_000 }, async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const rt = sqliteRuntime(dir.db);
  t.after(() => rt.stop());
  rt.register(Chat);
  for (let i = 0; i < 3; i++) await rt.call({ actorType: 'Chat', actorId: 'c/1', method: 'post', args: [`m${i}`] });
  const studio = await startStudio({ store: new SqliteStore({ path: dir.db }), port: 0, audit: join(dir.dir, 'audit.jsonl') });
  t.after(() => studio.close());
  const get = async (path: string) => {
    const res = await fetch(new URL(path, studio.url));
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const base = `/api/actors/Chat/${encodeURIComponent('c/1')}`;
  assert.deepEqual((await get(`${base}/keys?limit=2`)).json, { keys: ['last', 'seen:m0'] });
  assert.equal((await get(`${base}/keys/${encodeURIComponent('seen:m2')}`)).json['value'], true);
  assert.deepEqual((await get(`${base}/logs`)).json, { logs: [{ name: 'messages', first: 0, next: 3 }] });
  const page = (await get(`${base}/logs/messages?from=1&limit=1`)).json as { entries: unknown[] };
  assert.deepEqual(page.entries, [{ index: 1, value: { text: 'm1' } }]);
  assert.equal((await get(`${base}/logs/messages?limit=x`)).status, 400);
  assert.equal((await get(`${base}/logs/messages?limit=5000`)).status, 400);
});
