import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, type ActorClass } from '../../src/index.js';
import { createSimulation, replayJournal, replayJournals, type RecordedJournal } from '../../src/testing/index.js';
import { seededRandom } from '../../src/testing/simulation/prng.js';

/** A handler as a list of durable operations, so that mutations of it can be generated. */
type Op = { kind: 'step'; name: string } | { kind: 'now' } | { kind: 'clockBranch' } | { kind: 'wait' };

function workflow(ops: Op[]): ActorClass {
  return class Workflow extends Actor {
    static actorType = 'Workflow';
    async run() {
      for (const op of ops) {
        if (op.kind === 'step') await this.step(op.name, () => op.name);
        else if (op.kind === 'now') this.now();
        else if (op.kind === 'clockBranch') await this.step(Date.now() % 2 === 0 ? 'even' : 'odd', () => 1);
        else await this.promise('approval');
      }
      return 'done';
    }
  } as unknown as ActorClass;
}

const original: Op[] = [
  { kind: 'step', name: 'validate' }, { kind: 'step', name: 'reserve' }, { kind: 'now' }, { kind: 'step', name: 'charge' },
  { kind: 'step', name: 'ship' }, { kind: 'step', name: 'notify' }, { kind: 'wait' }, { kind: 'step', name: 'close' },
];

/** Runs the original handler until it waits on its promise, and exports its invocation and journal. */
async function record(): Promise<RecordedJournal> {
  const sim = await createSimulation({ seed: 11, actors: [workflow(original)] });
  try {
    const { invocationId } = await sim.send({ actorType: 'Workflow', actorId: 'w1', method: 'run' });
    await sim.runUntilIdle();
    const invocation = (await sim.store.getInvocation(invocationId))!;
    assert.ok(invocation.waitingOn?.startsWith('promise:'), 'the recording ends at the awaited promise');
    return { invocation, journal: await sim.store.loadJournal(invocationId) };
  } finally {
    await sim.dispose();
  }
}

/** 20 seeded mutations of the handler's recorded part: swaps, insertions, renames, removals, a clock-dependent branch. */
function mutations(seed: number): { what: string; ops: Op[] }[] {
  const random = seededRandom(seed);
  const recorded = original.findIndex((o) => o.kind === 'wait');
  const at = () => Math.floor(random() * recorded);
  const out: { what: string; ops: Op[] }[] = [];
  const kinds = ['swap', 'insert', 'rename', 'remove'] as const;
  while (out.length < 19) {
    const ops = original.map((o) => ({ ...o }));
    const k = kinds[out.length % kinds.length]!;
    const i = at();
    if (k === 'swap') {
      const j = Math.min(i + 1, recorded - 1);
      if (i === j || JSON.stringify(ops[i]) === JSON.stringify(ops[j])) continue;
      [ops[i], ops[j]] = [ops[j]!, ops[i]!];
    } else if (k === 'insert') ops.splice(i, 0, { kind: 'step', name: `extra-${out.length}` });
    else if (k === 'rename') {
      if (ops[i]!.kind !== 'step') continue;
      ops[i] = { kind: 'step', name: `${(ops[i] as { name: string }).name}-v2` };
    } else ops.splice(i, 1);
    out.push({ what: `${k} at ${i}`, ops });
  }
  out.push({ what: 'Date.now() in control flow', ops: [original[0]!, { kind: 'clockBranch' }, ...original.slice(2)] });
  return out;
}

describe('replay gate (loom/testing)', () => {
  it('replays a recorded journal against unchanged code with no divergence and no step run', { timeout: 60_000 }, async () => {
    const recording = await record();
    assert.equal(recording.journal.length, 7);
    const result = await replayJournal(recording, [workflow(original)]);
    assert.deepEqual(result, { invocationId: recording.invocation.id, ok: true, replayed: 7 });
  });

  it('reports each of 20 seeded mutations at its first divergence, with the entry, both operations and the handler line', { timeout: 120_000 }, async () => {
    const recording = await record();
    const found: string[] = [];
    for (const m of mutations(2026)) {
      const r = await replayJournal(recording, [workflow(m.ops)]);
      assert.equal(r.ok, false, `${m.what} was not reported`);
      if (r.ok) continue;
      assert.ok(r.position >= 0 && r.position <= 6, `${m.what}: position ${r.position}`);
      assert.match(r.message, /diverges at journal entry \d+: recorded .+, the code now asks for .+/);
      assert.match(r.where ?? '', /test\/simulation\/replay\.test\.ts:\d+:\d+$/, `${m.what}: the handler line (${r.message})`);
      found.push(m.what);
    }
    assert.equal(found.length, 20);
  });

  it('replays a folder of recordings, in file-name order, and names a file that is not a recording', { timeout: 60_000 }, async () => {
    const recording = await record();
    const dir = mkdtempSync(join(tmpdir(), 'loom-replay-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify(recording));
      writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...recording, journal: recording.journal.slice(0, 3) }));
      const results = await replayJournals(dir, [workflow(original)]);
      assert.deepEqual(results.map((r) => [r.file, r.ok]), [['a.json', true], ['b.json', true]]);
      writeFileSync(join(dir, 'c.json'), '{"journal": []}');
      await assert.rejects(replayJournals(dir, [workflow(original)]), /c\.json is not a recorded journal/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
