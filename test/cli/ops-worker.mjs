// A worker module for the operations CLI tests, run by the built `loom dev`.
// Plain JavaScript on the built package, as a user's compiled worker would be.
import { appendFileSync } from 'node:fs';
import { Actor, ActorRuntime, TerminalError } from '../../dist/index.js';

const runs = process.env.LOOM_TEST_RUNS;

class Ops extends Actor {
  static initialState = { n: 0 };
  static config = { retryPolicy: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 3_600_000 } };
  async add(k) {
    this.state.n += k;
    return this.state.n;
  }
  async approve() {
    return this.promise('approval');
  }
  async refuse() {
    throw new TerminalError('card declined', { code: 'CARD_DECLINED' });
  }
  async poison(key) {
    appendFileSync(runs, `${key}\n`);
    const seen = this.state.seen ?? 0;
    this.state.seen = seen + 1;
    if (process.env.LOOM_TEST_HEALED !== '1' && !globalThis.healed?.has(key)) {
      (globalThis.healed ??= new Set()).add(key);
      throw Object.assign(new Error('poison'), { code: 'POISON' });
    }
    return 'ok';
  }
}

export default () => new ActorRuntime({ dbPath: process.env.LOOM_TEST_DB, partitions: 4, pollIntervalMs: 50 }).register(Ops);
