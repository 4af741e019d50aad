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

/** JL: one invocation of `steps` durable steps with a durable sleep after every `sleepEvery`-th. */
export class Journal extends Actor<{ runs: number }> {
  static initialState = { runs: 0 };
  async run(steps: number, sleepEvery: number, sleepMs: number): Promise<number> {
    let sum = 0;
    for (let i = 0; i < steps; i++) {
      sum += await this.step('s', () => i);
      if ((i + 1) % sleepEvery === 0) await this.sleep(sleepMs);
    }
    this.state.runs++;
    return sum;
  }
}

/** STATE: a plain `this.state` of `items` entries beside a counter, one field of it changed per call. */
export class Big extends Actor<{ n: number; items: Record<string, string> }> {
  static initialState = { n: 0, items: {} };
  async fill(count: number, from: number): Promise<number> {
    // ~40 bytes of JSON each: "k0000001":"v-0000001-xxxxxxxxxxxxxxx",
    for (let i = from; i < from + count; i++) this.state.items[`k${String(i).padStart(7, '0')}`] = `v-${String(i).padStart(7, '0')}-xxxxxxxxxxxxxxx`;
    return Object.keys(this.state.items).length;
  }
  async bump(): Promise<number> {
    this.state.n += 1;
    return this.state.n;
  }
}

const itemKey = (i: number) => `k${String(i).padStart(7, '0')}`;
const itemValue = (i: number) => `v-${String(i).padStart(7, '0')}-xxxxxxxxxxxxxxx`;

/** Big's items as per-key state (`this.kv`): a call reads and writes the counter's key alone. */
export class BigKv extends Actor {
  async fill(count: number, from: number): Promise<number> {
    for (let i = from; i < from + count; i++) this.kv.set(itemKey(i), itemValue(i));
    this.kv.set('held', from + count);
    return from + count;
  }
  async bump(): Promise<number> {
    const n = ((await this.kv.get<number>('n')) ?? 0) + 1;
    this.kv.set('n', n);
    return n;
  }
}

/** Big's items as a log (`this.log`): a call appends one entry, and its index is the counter. */
export class BigLog extends Actor {
  async fill(count: number, from: number): Promise<number> {
    const items = this.log<string>('items');
    for (let i = from; i < from + count; i++) items.append(itemValue(i));
    return from + count;
  }
  async bump(): Promise<number> {
    const bumps = this.log<number>('bumps');
    bumps.append(1);
    return (await bumps.bounds()).next;
  }
}
