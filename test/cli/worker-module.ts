// A worker module as users write it for `loom worker`: default-export a runtime.
import { Actor, ActorRuntime } from '../../src/index.js';

class Slow extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async work(ms: number) {
    await new Promise((r) => setTimeout(r, ms));
    this.state.n++;
    return this.state.n;
  }
}

export default () => new ActorRuntime({ dbPath: process.env.LOOM_TEST_DB!, partitions: 4 }).register(Slow);
