import { Actor, RetryableError } from '../../src/index.js';

/** What the admin scenarios' handlers did, by a key each test chooses. */
export const effects = new Map<string, number>();
export const bump = (key: string): number => {
  const n = (effects.get(key) ?? 0) + 1;
  effects.set(key, n);
  return n;
};

/** Latches a handler's step waits on, by name; `release(name)` lets it go on. */
const latches = new Map<string, { promise: Promise<void>; open: () => void }>();
export function latch(name: string): Promise<void> {
  let l = latches.get(name);
  if (!l) {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    latches.set(name, (l = { promise, open }));
  }
  return l.promise;
}
export const release = (name: string): void => {
  void latch(name);
  latches.get(name)!.open();
};

/** Handlers that get stuck in each way an operator meets. */
export class Ops extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  static config = { retryPolicy: { maxAttempts: 3, backoff: 'fixed' as const, initialDelayMs: 3_600_000 } };

  async approve() {
    return this.promise<string>('approval');
  }
  async nap() {
    await this.sleep('1h');
    return 'rested';
  }
  async flaky(key: string) {
    bump(key);
    throw new RetryableError('the payment provider is down');
  }
  async blocked(key: string) {
    await this.step('wait', async () => {
      bump(`${key}:started`);
      await latch(key);
    });
    await this.step('after', () => bump(`${key}:after`));
    return 'unblocked';
  }
  async ask(other: string) {
    try {
      return await this.call<string>('Ops', other, 'approve');
    } catch (err) {
      return `caught ${(err as { code?: string }).code ?? ''}: ${(err as Error).message}`;
    }
  }
  async askPlain(other: string) {
    return this.call<string>('Ops', other, 'approve');
  }
  async add(k: number) {
    this.state.n += k;
    return this.state.n;
  }
  async read() {
    return this.state.n;
  }
  async three(key: string) {
    await this.step('one', () => bump(`${key}:one`));
    await this.step('two', () => bump(`${key}:two`));
    const third = await this.step('three', () => bump(`${key}:three`));
    if (third === 1) throw Object.assign(new Error('third step refused the first time'), { code: 'REFUSED' });
    return 'all three';
  }
  async poison(key: string) {
    const n = bump(key);
    if (n === 1) throw Object.assign(new Error('poison'), { code: 'POISON' });
    return n;
  }
}
