import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Activations } from './activations.js';
import { pendingRecord, type InvocationRecord } from '../ports/store.js';

const rec = (actorId: string, partition = 0): InvocationRecord =>
  pendingRecord({ id: `inv-${actorId}`, actorType: 'T', actorId, method: 'm', argsJson: '[]', partition, ttlMs: 1000 }, 1, 1, 0);

describe('Activations', () => {
  it('evicts the least recently opened idle mailboxes beyond maxActivations, and none that is busy', () => {
    const held = new Activations({ maxActivations: 2, idleTimeoutMs: 3_600_000 });
    for (const id of ['a', 'b', 'c', 'd']) held.open(rec(id));
    held.get('T', 'b')!.offer(rec('b'));
    held.evictIdle();
    assert.equal(held.size, 2);
    assert.equal(held.get('T', 'a'), undefined, 'the oldest idle one went first');
    assert.ok(held.get('T', 'b'), 'a mailbox with queued work stays');
    assert.equal(held.get('T', 'c'), undefined);
    assert.ok(held.get('T', 'd'));
  });

  it('drops a lost partition: queued work and cached state go, a running handler keeps its mailbox until it ends', () => {
    const held = new Activations({ maxActivations: 10, idleTimeoutMs: 3_600_000 });
    const running = held.open(rec('r', 1));
    running.running = rec('r', 1);
    running.loaded = true;
    held.open(rec('q', 1)).offer(rec('q', 1));
    held.open(rec('other', 2));
    assert.equal(held.runningIn(1), true);
    held.dropPartition(1);
    assert.equal(held.get('T', 'q'), undefined);
    assert.equal(held.get('T', 'r'), running);
    assert.equal(running.loaded, false, 'its state is read again by the next owner of the partition');
    assert.ok(held.get('T', 'other'), 'other partitions are untouched');
    running.running = undefined;
    assert.equal(held.runningIn(1), false);
  });
});
