// Child of test/actor-data/crash.test.ts:
//   node --import tsx test/actor-data/crash-worker.ts <kind> <address> <actors> <turns>
// <kind> <address> name the store as test/support/store-child.ts opens it:
// sqlite <file>, redis <key prefix> or postgres <schema>.
// Each of <actors> agents takes turns one after another (all agents at once, so
// their turns share group commits); a turn appends one ~2 KB entry to each of
// three logs, sets kv `n` and this.state.n to the turn number, and trims log `c`
// to its last 5. Prints `ready`, then `ack <actor> <turn>` once a turn is
// committed. It is killed with SIGKILL mid-run and restarted; it resumes where
// the store says each agent is.
import { Actor, ActorRuntime } from '../../src/index.js';
import { childStore } from '../support/store-child.js';

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

const [kind, address, actorsText, turnsText] = process.argv.slice(2);
const actors = Number(actorsText);
const turns = Number(turnsText);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const runtime = new ActorRuntime({
  store: await childStore(`${kind}:${address}`),
  // SQLite sees that a killed owner's process is gone and hands its leases to the next one at once; Redis and
  // PostgreSQL wait for the lease to expire, unless the restarted worker comes back under the same id (as a
  // supervised worker would), which then takes its own leases back.
  ...(kind === 'sqlite' ? {} : { workerId: 'loom-crash-worker' }),
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
