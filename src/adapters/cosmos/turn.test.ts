import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OperationInput } from '@azure/cosmos';
import { pendingRecord, type TurnWrite } from '../../ports/store.js';
import { toDoc, type InvocationDoc } from './docs.js';
import { turnBatch } from './turn.js';

const inv = (): InvocationDoc => ({ ...toDoc(pendingRecord({ id: 'i1', actorType: 'A', actorId: 'a', method: 'm', argsJson: '[]', partition: 3, ttlMs: 1000 }, 1, 1, 0)), _etag: 'inv-etag' });
const everything: TurnWrite = {
  partition: 3,
  epoch: 7,
  invocationId: 'i1',
  journal: [{ seq: 0, kind: 'step', name: 's', status: 'done', valueJson: '1' }],
  state: { actorType: 'A', actorId: 'a', stateJson: '{}', expectedVersion: 2 },
  transition: { status: 'completed', resultJson: '1', expiresAt: 5000 },
  idempotency: [{ actorType: 'A', actorId: 'a', key: 'k', resultJson: '1', expiresAt: 5000 }],
  outbox: [{ id: 'o1', actorType: 'B', actorId: 'b', method: 'm', argsJson: '[]', partition: 9, ttlMs: 1000 }],
  resolve: [{ id: 'call:x:c0', valueJson: '1' }],
};
const build = (turn: TurnWrite) => turnBatch({ turn, leaseEtag: 'lease-etag', inv: inv(), state: { id: 's', pk: 'p3', type: 'state', actorType: 'A', actorId: 'a', stateJson: '{}', version: 2, _etag: 'state-etag' }, now: 1000, wakeSeq: () => 0, nonce: 'n' });
const field = (op: OperationInput, k: string) => (op as unknown as Record<string, unknown>)[k];

describe('Cosmos DB turn batch', () => {
  it('puts a whole turn under the partition key of its Loom partition, within the 100 operations of one batch', () => {
    const b = build(everything);
    assert.equal(b.pk, 'p3');
    assert.ok(b.ops.length <= 100);
    for (const op of b.ops) assert.equal(field(op, 'partitionKey'), 'p3');
  });

  it('opens with the fence: a read of the lease document conditional on the ETag its epoch was checked under', () => {
    const [fence] = build(everything).ops;
    assert.equal(field(fence!, 'operationType'), 'Read');
    assert.equal(field(fence!, 'id'), 'lease');
    assert.equal(field(fence!, 'ifMatch'), 'lease-etag');
  });

  it('puts every operation that can fail a precondition before any unconditional write', () => {
    const b = build(everything);
    assert.deepEqual(b.roles, ['fence', 'invocation', 'state', 'write', 'write']);
    assert.equal(field(b.ops[1]!, 'ifMatch'), 'inv-etag', 'the invocation is replaced only as it was read');
    assert.equal(field(b.ops[2]!, 'ifMatch'), 'state-etag', 'the state is replaced only at the version the turn expects');
    const created = build({ ...everything, state: { ...everything.state!, expectedVersion: 0 } }).ops[2]!;
    assert.equal(field(created, 'operationType'), 'Create', 'a first state write fails if another one got there first');
  });

  it('writes effects on other partitions as one outbox document inside the batch, never directly', () => {
    const b = build(everything);
    assert.deepEqual(b.outbox?.messages.map((m) => m.id), ['o1']);
    assert.deepEqual(b.outbox?.resolve.map((r) => r.id), ['call:x:c0']);
    const ids = b.ops.map((op) => (field(op, 'resourceBody') as { id?: string } | undefined)?.id ?? field(op, 'id'));
    assert.ok(!ids.some((id) => String(id).startsWith('inv:o1')), 'the message to partition 9 is not written in partition 3');
  });

  it('carries the journal and the result in the invocation document, and drops the journal when the invocation completes', () => {
    const body = field(build(everything).ops[1]!, 'resourceBody') as InvocationDoc;
    assert.equal(body.rec.status, 'completed');
    assert.equal(body.rec.resultJson, '1');
    assert.deepEqual(body.journal, {});
    const journalOnly = field(build({ partition: 3, epoch: 7, invocationId: 'i1', journal: everything.journal! }).ops[1]!, 'resourceBody') as InvocationDoc;
    assert.deepEqual(Object.keys(journalOnly.journal), ['0']);
    assert.equal(journalOnly.rec.started, true);
  });
});
