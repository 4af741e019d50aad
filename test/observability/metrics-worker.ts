// A worker module for `loom worker --metrics-port`: a known mix of outcomes.
import { Actor, ActorRuntime, TerminalError } from '../../src/index.js';

class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add(k: number) {
    await this.step('bump', () => k);
    this.state.n += k;
    return this.state.n;
  }
}

class Bad extends Actor {
  static config = { retryPolicy: { maxAttempts: 2, backoff: 'fixed' as const, initialDelayMs: 10 } };
  async fail() {
    throw new TerminalError('no', { code: 'BAD_INPUT' });
  }
  async boom() {
    throw new Error('flaky');
  }
}

class Fanout extends Actor {
  async go() {
    this.send('Counter', 'cx', 'add', 1);
    return 'sent';
  }
}

export default () =>
  new ActorRuntime({ dbPath: process.env.LOOM_TEST_DB!, partitions: 4, pollIntervalMs: 50 }).register(Counter).register(Bad).register(Fanout);
