// Actor types of the crash test, shared by the worker and the test's final runtime.
import { Actor } from '../../src/index.js';
import type { Ledger } from './ledger.js';

/** Where the actors send their side effects; the worker sets it before starting the runtime. */
export const env: {
  ledger: Ledger | undefined;
  /** Simulated network latency of one provider call, ms (half before, half after the provider applies it). */
  latencyMs: number;
  /** Progress lines for the test (stdout is a pipe: writes are synchronous). */
  out: (line: string) => void;
} = { ledger: undefined, latencyMs: 0, out: () => {} };

function ledger(): Ledger {
  if (!env.ledger) throw new Error('crash test: no ledger set; this runtime must not run any step');
  return env.ledger;
}

const pause = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

/** A provider call: reaches the provider after latency/2, whose answer comes back latency/2 later. */
async function charge(key: string, payment: number, step: number): Promise<number> {
  const value = payment * 10 + step;
  await pause(env.latencyMs / 2);
  ledger().charge(key, payment, step, value);
  await pause(env.latencyMs / 2);
  return value;
}

/** pay(i): three charges, each keyed by its step key; returns (10i+1)+(10i+2)+(10i+3) = 30i+6. */
export class Payment extends Actor<{ done: number; paid: number }> {
  static initialState = { done: 0, paid: 0 };

  async pay(i: number): Promise<number> {
    let sum = 0;
    for (const stepNo of [1, 2, 3]) {
      sum += await this.step(`charge-${stepNo}`, (key) => charge(key, i, stepNo));
    }
    this.state.done += 1;
    this.state.paid += i;
    return sum;
  }
}

/** nap(i): charge → durable sleep 1500 ms → charge; returns (10i+1)+(10i+2) = 20i+3. */
export class Sleeper extends Actor<{ woke: number }> {
  static initialState = { woke: 0 };

  async nap(i: number): Promise<number> {
    const a = await this.step('before-sleep', (key) => {
      env.out(`exec step1 ${i}`);
      return charge(key, i, 1);
    });
    // With the time, so the test can tell how long after the replay reached its sleep step 2 ran.
    env.out(`journaled step1 ${i} ${Date.now()}`);
    await this.sleep(1500);
    const b = await this.step('after-sleep', (key) => {
      env.out(`exec step2 ${i}`);
      return charge(key, i, 2);
    });
    this.state.woke += 1;
    return a + b;
  }
}
