import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Mailbox } from './mailbox.js';
import { pendingRecord, type InvocationRecord } from '../ports/store.js';

const rec = (id: string, seq: number, wakeSeq = seq, extra: Partial<InvocationRecord> = {}): InvocationRecord => ({
  ...pendingRecord({ id, actorType: 'T', actorId: 'a', method: 'm', argsJson: '[]', partition: 0, ttlMs: 1000 }, seq, wakeSeq, 0),
  ...extra,
});
const ids = (box: Mailbox) => box.queue.map((r) => r.id);

describe('Mailbox', () => {
  it('keeps invocations in seq order whatever the arrival order', () => {
    const box = new Mailbox('k', 'T', 'a', 0);
    for (const r of [rec('c', 3), rec('a', 1), rec('b', 2)]) box.offer(r);
    assert.deepEqual(ids(box), ['a', 'b', 'c']);
    const head = box.head(() => 0);
    assert.ok(head.kind === 'run' && head.invocation.id === 'a');
  });

  it('refreshes a held invocation only with a newer wakeSeq', () => {
    const box = new Mailbox('k', 'T', 'a', 0);
    const first = rec('a', 1, 5);
    assert.equal(box.offer(first), true);
    assert.equal(box.offer(rec('a', 1, 5)), false, 'same wakeSeq: a repeat from a poll');
    assert.equal(box.offer(rec('a', 1, 4)), false, 'older');
    const newer = rec('a', 1, 6, { notBefore: 100 });
    assert.equal(box.offer(newer), true);
    assert.equal(box.queue[0], newer);
    assert.deepEqual(box.head(() => 50), { kind: 'wait-until', at: 100 });
  });

  it('lets a started invocation hold the actor ahead of older unstarted ones', () => {
    const box = new Mailbox('k', 'T', 'a', 0);
    const waiting = rec('b', 2);
    box.offer(rec('a', 1));
    box.offer(waiting);
    box.markStarted(waiting);
    waiting.waitingOn = 'promise:b#x';
    assert.deepEqual(box.head(() => 0), { kind: 'wait-promise', invocation: waiting, promiseId: 'promise:b#x' });
    box.remove('b');
    assert.deepEqual(ids(box), ['a']);
    assert.equal(box.head(() => 0).kind, 'run', 'once it left, the next one runs');
  });

  it('removes by id, ignores unknown ids, and clears', () => {
    const box = new Mailbox('k', 'T', 'a', 0);
    for (let i = 1; i <= 5; i++) box.offer(rec(`r${i}`, i));
    box.remove('r1');
    box.remove('r3');
    box.remove('nope');
    assert.deepEqual(ids(box), ['r2', 'r4', 'r5']);
    box.clear();
    assert.equal(box.idle, true);
    assert.equal(box.offer(rec('r2', 2)), true, 'a cleared id can come back');
  });

  it('takes a poll handing a long queue back, and drains it in order', () => {
    const box = new Mailbox('k', 'T', 'a', 0);
    const n = 50_000;
    for (let i = 1; i <= n; i++) box.offer(rec(`r${i}`, i));
    for (let i = 1; i <= n; i++) box.offer(rec(`r${i}`, i)); // a poll handing everything back
    for (let i = 1; i <= n; i++) {
      const head = box.head(() => 0);
      assert.ok(head.kind === 'run' && head.invocation.id === `r${i}`);
      box.remove(`r${i}`);
    }
    assert.equal(box.queue.length, 0);
  });
  it('keeps its answers when the queue grows past its index threshold and drains below it again', () => {
    const box = new Mailbox('k', 'T', 'a', 0);
    const order = [5, 3, 19, 1, 12, 8, 20, 2, 15, 7, 11, 4, 18, 6, 14, 9, 17, 10, 13, 16];
    for (const i of order) box.offer(rec(`r${i}`, i));
    assert.deepEqual(ids(box), Array.from({ length: 20 }, (_, i) => `r${i + 1}`));
    assert.equal(box.offer(rec('r7', 7)), false, 'a repeat is found through the index');
    const started = box.queue.find((r) => r.id === 'r9')!;
    box.markStarted(started);
    const head = box.head(() => 0);
    assert.ok(head.kind === 'run' && head.invocation.id === 'r9', 'a started invocation holds the actor');
    for (const id of ['r9', 'r1', 'r20', 'r10']) box.remove(id);
    assert.equal(box.queue.length, 16);
    for (let i = 2; i <= 19; i++) if (![9, 10].includes(i)) box.remove(`r${i}`);
    assert.equal(box.idle, true);
    assert.equal(box.offer(rec('r9', 9)), true, 'a removed id can come back');
    assert.equal(box.offer(rec('r9', 9)), false);
    box.remove('r9');
    assert.equal(box.idle, true);
  });
});
