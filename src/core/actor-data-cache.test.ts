import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ActorDataCache, MAX_CACHED_KEYS, TAIL_KEEP, TAIL_MAX_CHARS } from './actor-data-cache.js';

const write = (logs: { name: string; append?: string[]; trimBefore?: number }[], kv?: { key: string; valueJson: string | undefined }[]) =>
  ({ actorType: 'T', actorId: 'a', logs, ...(kv ? { kv } : {}) });

it('a cached log keeps its newest entries, within TAIL_KEEP and TAIL_MAX_CHARS, and none below first', () => {
  const c = new ActorDataCache();
  c.apply(write([{ name: 'm', append: ['0'] }]), new Map([['m', { first: 0, next: 0 }]]));
  for (let i = 1; i < 100; i++) c.apply(write([{ name: 'm', append: [String(i)] }]), undefined);
  const log = c.logs.get('m')!;
  assert.deepEqual([log.first, log.next, log.tail.length], [0, 100, TAIL_KEEP]);
  assert.deepEqual(c.cachedRange(log, 80, 100), Array.from({ length: 20 }, (_, i) => String(80 + i)));
  assert.equal(c.cachedRange(log, 10, 20), undefined, 'not cached: read from the store');
  c.apply(write([{ name: 'm', trimBefore: 98 }]), undefined);
  assert.deepEqual(log.tail, ['98', '99']);
  const big = 'x'.repeat(TAIL_MAX_CHARS / 2);
  c.apply(write([{ name: 'm', append: [big, big, '"s"'] }]), undefined);
  assert.equal(log.tail.length, 2, 'a third huge entry would pass the character budget');
  assert.deepEqual([log.first, log.next], [98, 103]);
});

it('a log the cache does not know and whose bounds the turn did not read stays unknown', () => {
  const c = new ActorDataCache();
  c.apply(write([{ name: 'm', append: ['1'] }]), undefined);
  assert.equal(c.logs.has('m'), false);
});

it('keys are cached up to MAX_CACHED_KEYS, the oldest going first', () => {
  const c = new ActorDataCache();
  for (let i = 0; i < MAX_CACHED_KEYS + 10; i++) c.setKey(`k${i}`, String(i));
  assert.equal(c.kv.size, MAX_CACHED_KEYS);
  assert.equal(c.kv.has('k0'), false);
  assert.equal(c.kv.get(`k${MAX_CACHED_KEYS + 9}`), String(MAX_CACHED_KEYS + 9));
  c.apply(write([], [{ key: 'k20', valueJson: undefined }]), undefined);
  assert.equal(c.kv.get('k20'), null, 'a delete is cached as known absent');
});
