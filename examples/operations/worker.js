// The worker behind docs/operations.md: `loom dev examples/operations/worker.js`
// (after `npm run build`). Orders charge a payment provider that is down, wait for
// a manager's approval above 1,000, and ship through another actor.
import { Actor, ActorRuntime, RetryableError } from '../../dist/index.js';

class Orders extends Actor {
  static initialState = { placed: 0 };
  static config = { retryPolicy: { maxAttempts: 5, backoff: 'exponential', initialDelayMs: 60_000 } };

  async place(order) {
    if (order.amount > 1000) await this.promise('approval');
    await this.step('charge', () => {
      if (process.env.PSP_DOWN === '1') throw new RetryableError('payment provider timed out');
      return { charged: order.amount };
    });
    this.state.placed++;
    return this.call('Shipping', order.id, 'ship', order);
  }
}

class Shipping extends Actor {
  async ship(order) {
    await this.sleep('2h'); // the warehouse picks up twice a day
    return { shipped: order.id };
  }
}

export default () => new ActorRuntime({ dbPath: process.env.LOOM_DB ?? './.loom/loom.db' }).register(Orders).register(Shipping);
