// Child of test/actor-data/crash.test.ts:
//   node --import tsx test/actor-data/crash-worker.ts <dbPath> <actors> <turns>
// Each of <actors> agents takes turns one after another (all agents at once, so
// their turns share group commits); a turn appends one ~2 KB entry to each of
// three logs, sets kv `n` and this.state.n to the turn number, and trims log `c`
// to its last 5. Prints `ready`, then `ack <actor> <turn>` once a turn is
// committed. It is killed with SIGKILL mid-run and restarted; it resumes where
// the store says each agent is.
import { Actor, ActorRuntime } from '../../src/index.js';

export class Scribe extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async turn(pad: string) {
    const n = ((await this.kv.get<number>('n')) ?? 0) + 1;
    for (const name of ['a', 'b', 'c']) this.log(name).append({ n, pad });
    this.log('c').trimTo(5);
    this.kv.set('n', n);
    this.state.n = n;
    return n;
  }
  async where() {
    return this.state.n;
  }
}

const [dbPath, actorsText, turnsText] = process.argv.slice(2);
const actors = Number(actorsText);
const turns = Number(turnsText);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const runtime = new ActorRuntime({
  dbPath,
  pollIntervalMs: 100,
  logger: { debug: () => {}, info: () => {}, warn: () => {}, error: (m: string) => void process.stderr.write(`[error] ${m}\n`) },
});
runtime.register(Scribe);
await runtime.start();
out('ready');
const pad = 'x'.repeat(2000);
await Promise.all(
  Array.from({ length: actors }, async (_, a) => {
    const actorId = `s${a}`;
    let n = (await runtime.call({ actorType: 'Scribe', actorId, method: 'where' })) as number;
    while (n < turns) {
      n = (await runtime.call({ actorType: 'Scribe', actorId, method: 'turn', args: [pad] })) as number;
      out(`ack ${actorId} ${n}`);
    }
  }),
);
out('ALL DONE');
await runtime.stop();
