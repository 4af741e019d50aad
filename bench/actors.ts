// The actors the workloads drive.
import { Actor } from '../src/index.js';

/** W1/W3: a handler with three durable steps (each journaled before the next starts). */
export class Steps extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async run(x: number): Promise<number> {
    const a = await this.step('a', () => x + 1);
    const b = await this.step('b', () => a + 1);
    const c = await this.step('c', () => b + 1);
    this.state.n++;
    return c;
  }
}

/** W2: a keyed counter. */
export class Counter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async add(by: number): Promise<number> {
    this.state.n += by;
    return this.state.n;
  }
  /** W2R's read: a journaled invocation that changes no state. */
  async get(): Promise<number> {
    return this.state.n;
  }
}

/** MEM: an actor with a tiny state, activated once. */
export class Tiny extends Actor<{ v: number }> {
  static initialState = { v: 0 };
  async touch(): Promise<number> {
    this.state.v = 1;
    return 1;
  }
}
