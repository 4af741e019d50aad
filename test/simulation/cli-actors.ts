import { Actor } from '../../src/index.js';

/** The actor the replay CLI test records and replays; LOOM_TEST_MUTATE renames its second step. */
export class Checkout extends Actor {
  async run() {
    await this.step('validate', () => 1);
    await this.step(process.env.LOOM_TEST_MUTATE ? 'reserve-v2' : 'reserve', () => 2);
    await this.promise('approval');
    return 'done';
  }
}
