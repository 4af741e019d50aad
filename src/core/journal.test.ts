import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JournalCursor } from './journal.js';
import { NonDeterminismError } from './errors.js';
import type { JournalEntry } from '../ports/store.js';

const owner = { actorType: 'Pay', actorId: 'p1', invocationId: 'inv-1' };
const step = (seq: number, name: string, value: unknown): JournalEntry => ({ seq, kind: 'step', name, status: 'done', valueJson: JSON.stringify(value) });

describe('the journal cursor', () => {
  it('replays recorded entries in order, then asks to execute', () => {
    const c = new JournalCursor([step(1, 'b', 2), step(0, 'a', 1)], owner);
    assert.deepEqual(c.next('step', 'a'), { kind: 'replay', position: 0, entry: step(0, 'a', 1) });
    assert.equal(c.replaying, true);
    assert.equal(c.next('step', 'b').kind, 'replay');
    assert.equal(c.replaying, false);
    assert.deepEqual(c.next('step', 'c'), { kind: 'execute', position: 2 });
    c.assertConsumed();
  });

  it('raises NonDeterminismError naming actor, invocation, position and both operations', () => {
    const c = new JournalCursor([step(0, 'charge', 1)], owner);
    assert.throws(() => c.next('step', 'refund'), (err: NonDeterminismError) => {
      assert.equal(err.code, 'LOOM_NON_DETERMINISM');
      assert.deepEqual(err.details, { ...owner, position: 0, recorded: 'step "charge"', requested: 'step "refund"' });
      assert.match(err.message, /Pay\/p1 invocation inv-1 diverged at journal position 0/);
      return true;
    });
  });

  it('detects a different kind of operation at the same position', () => {
    const c = new JournalCursor([step(0, 'sleep', 1)], owner);
    assert.throws(() => c.next('sleep', 'sleep'), NonDeterminismError);
  });

  it('detects recorded entries the code no longer reaches', () => {
    const c = new JournalCursor([step(0, 'a', 1), step(1, 'b', 2)], owner);
    c.next('step', 'a');
    assert.throws(() => c.assertConsumed(), /recorded "step "b"" but the code now asks for "the handler to return"/);
  });

  it('patch: consumes its marker, takes a new position past the recording, and consumes nothing at another entry', () => {
    const marker: JournalEntry = { seq: 1, kind: 'patch', name: 'fraud', status: 'done' };
    const c = new JournalCursor([step(0, 'a', 1), marker, step(2, 'b', 2)], owner);
    c.next('step', 'a');
    assert.deepEqual(c.patch('other'), { kind: 'absent' }, 'another patch name is not this marker');
    assert.deepEqual(c.patch('fraud'), { kind: 'replay', position: 1, entry: marker });
    assert.deepEqual(c.patch('fraud'), { kind: 'absent' }, 'a step recorded here: the old path');
    assert.equal(c.next('step', 'b').kind, 'replay');
    assert.deepEqual(c.patch('fraud'), { kind: 'execute', position: 3 });
    c.assertConsumed();
  });

  it('patch: a marker the code no longer asks for is a divergence', () => {
    const c = new JournalCursor([{ seq: 0, kind: 'patch', name: 'fraud', status: 'done' }], owner);
    assert.throws(() => c.next('step', 'charge'), /recorded "patch "fraud"" but the code now asks for "step "charge""/);
  });
});
