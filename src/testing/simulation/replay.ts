import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { ActorClass } from '../../core/registry.js';
import type { InvocationRecord, JournalEntry, StateRecord } from '../../ports/store.js';
import { createSimulation } from './simulation.js';

/**
 * A recorded invocation: what `loom invocations show <id> -o json` prints for
 * an unfinished or dead-lettered one (its record and its journal), optionally
 * with the actor's state at the time.
 */
export interface RecordedJournal {
  invocation: Pick<InvocationRecord, 'id' | 'actorType' | 'actorId' | 'method' | 'argsJson'> & Partial<InvocationRecord>;
  journal: JournalEntry[];
  state?: Pick<StateRecord, 'stateJson'>;
}

/** How one recording replayed against the current code. */
export type ReplayResult =
  | { file?: string; invocationId: string; ok: true; replayed: number }
  | {
      file?: string;
      invocationId: string;
      ok: false;
      /** Journal position where the code asked for something else. */
      position: number;
      recorded: string;
      requested: string;
      /** The handler's source line that asked for it, when it could be told. */
      where?: string;
      message: string;
    };

/**
 * Replays one recorded journal against the current code, with no side effect:
 * every recorded step returns its recorded result, and the handler is stopped
 * at the first operation past the recording (no step function runs). Reports
 * the first divergence in words: entry, recorded vs requested operation and
 * name, and the handler line that asked.
 */
export async function replayJournal(recording: RecordedJournal, actors: ActorClass[], file?: string): Promise<ReplayResult> {
  const inv = recording.invocation;
  const sites: string[] = [];
  const sim = await createSimulation({
    seed: 1,
    actors,
    partitions: 1,
    startAt: inv.updatedAt ?? inv.createdAt ?? Date.now(),
    onOp: (_op, where) => sites.push(where ?? ''),
    onHandlerStart: () => (sites.length = 0),
  });
  try {
    sim.stopStepsBeyond(recording.journal.length ? Math.max(...recording.journal.map((e) => e.seq)) + 1 : 0);
    await sim.load({
      invocation: { id: inv.id, actorType: inv.actorType, actorId: inv.actorId, method: inv.method, argsJson: inv.argsJson, partition: 0, ttlMs: 86_400_000 },
      journal: recording.journal,
      ...(recording.state ? { stateJson: recording.state.stateJson } : {}),
    });
    let rec: InvocationRecord | undefined;
    // Until it ends (a divergence dead-letters it) or waits on something the recording did not hold.
    await sim.runUntil(async () => {
      rec = await sim.store.getInvocation(inv.id);
      return !rec || rec.status !== 'pending' || rec.waitingOn !== undefined || (rec.started && (rec.notBefore ?? 0) > sim.now());
    }, { maxTime: '400d' });
    const m = rec?.error && /diverged at journal position (\d+): the journal recorded "(.*)" but the code now asks for "(.*)"\./.exec(rec.error.message);
    if (!m) return { ...(file ? { file } : {}), invocationId: inv.id, ok: true, replayed: recording.journal.length };
    const position = Number(m[1]);
    const where = sites[position] || undefined;
    return {
      ...(file ? { file } : {}),
      invocationId: inv.id,
      ok: false,
      position,
      recorded: m[2]!,
      requested: m[3]!,
      ...(where ? { where } : {}),
      message:
        `${file ? `${file}: ` : ''}${inv.actorType}/${inv.actorId}.${inv.method} (invocation ${inv.id}) diverges at journal entry ${position}: ` +
        `recorded ${m[2]}, the code now asks for ${m[3]}${where ? ` at ${where}` : ''}`,
    };
  } finally {
    await sim.dispose();
  }
}

/** Replays every `*.json` recording in `dir` (see {@link replayJournal}); the results in file-name order. */
export async function replayJournals(dir: string, actors: ActorClass[]): Promise<ReplayResult[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const out: ReplayResult[] = [];
  for (const f of files) {
    let recording: RecordedJournal;
    try {
      recording = asRecording(JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown);
    } catch (cause) {
      throw new ConfigError(`${join(dir, f)} is not a recorded journal (JSON with "invocation" and "journal"): ${(cause as Error).message}`, { cause });
    }
    out.push(await replayJournal(recording, actors, f));
  }
  return out;
}

function asRecording(v: unknown): RecordedJournal {
  const r = v as Partial<RecordedJournal> & { record?: RecordedJournal['invocation'] };
  const invocation = r.invocation ?? r.record;
  if (!invocation || typeof invocation.id !== 'string' || typeof invocation.actorType !== 'string' || typeof invocation.method !== 'string') {
    throw new Error('it has no "invocation" with id, actorType, actorId, method and argsJson');
  }
  if (!Array.isArray(r.journal)) throw new Error('it has no "journal" array');
  return { invocation, journal: r.journal, ...(r.state ? { state: r.state } : {}) };
}
