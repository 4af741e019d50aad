// Actor types of the multi-process cluster tests, registered by every worker
// and by the test's producer runtime (which validates messages against them).
import { Actor } from '../../src/index.js';

/** Progress lines for the test (stdout is a pipe: the worker writes them synchronously). */
export const env: { out: (line: string) => void } = { out: () => {} };

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** inc(by): adds to the state and returns the new value. 20 inc(1) to one id must return 1..20, once each. */
export class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };

  async inc(by: number): Promise<number> {
    this.state.n += by;
    return this.state.n;
  }
}

/** One application of a slow handler: which message, which invocation, which process. */
export interface Applied {
  tag: string;
  inv: string;
  pid: number;
}

/**
 * Handlers that stay mid-turn long enough to SIGSTOP their worker there.
 * `state.applied` lists every application that committed: a stale owner's
 * commit accepted after a takeover would show up as a second entry.
 */
export class SlowCounter extends Actor<{ applied: Applied[] }> {
  static initialState = { applied: [] as Applied[] };

  /** Awaits `ms` inside a step: the write a stale owner attempts is the completion turn that carries the step's journal entry. */
  async slowStep(ms: number, tag: string): Promise<Applied> {
    const inv = this.invocationId;
    const applied = await this.step('work', async () => {
      env.out(`slow-start ${inv} ${process.pid} step`);
      await pause(ms);
      return { tag, inv, pid: process.pid };
    });
    this.state.applied.push(applied);
    return applied;
  }

  /** Awaits `ms` outside any step: the write a stale owner attempts is the whole completion turn (state + result). */
  async slowTurn(ms: number, tag: string): Promise<Applied> {
    const inv = this.invocationId;
    env.out(`slow-start ${inv} ${process.pid} turn`);
    await pause(ms);
    const applied = { tag, inv, pid: process.pid };
    this.state.applied.push(applied);
    return applied;
  }
}
