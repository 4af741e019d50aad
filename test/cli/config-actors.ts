// An actors module as users write it for `loom worker --config`: it exports the classes.
import { Actor } from '../../src/index.js';

export class Greeter extends Actor<{ n: number }> {
  static initialState = { n: 0 };
  async greet(name: string) {
    this.state.n++;
    // The secret comes from the config file (env:// reference), the timeout too.
    return `${this.secrets.greeting}, ${name} #${this.state.n}`;
  }
  async slow(ms: number) {
    await new Promise((r) => setTimeout(r, ms));
    return 'done';
  }
}

export default [Greeter];
