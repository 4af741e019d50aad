// The demo's actor: one PaymentProcessor per customer. Loom runs one invocation
// at a time per actor id, in arrival order, so a customer's orders never race.
import { Actor } from '../../dist/index.js';

/** Set by child.js before the runtime starts. */
export const env = {
  /** @type {import('./external.js').ExternalSystems | undefined} */
  external: undefined,
  say: (line) => console.log(line),
  event: () => {},
};

// Steps this process ran or already reported, so that the replay after a durable
// sleep (the handler runs again from the top and every step returns its journaled
// result) is reported once, not at every replay.
const seenHere = new Set();

export class PaymentProcessor extends Actor {
  static initialState = { orders: 0, charged: 0 };
  static config = { timeout: 10_000, retryPolicy: { maxAttempts: 3, initialDelayMs: 200 } };

  /** Charges, ships and emails one order; returns the references of all three. */
  async process(order) {
    const charge = await this._step('charge', order, (key) => env.external.charge(order, key));
    const shipment = await this._step('ship', order, (key) => env.external.ship(order, key));
    // A durable timer: the invocation commits its journal and leaves memory; the
    // wake-up time is in the store, so another worker can resume it.
    await this.sleep('1s');
    const email = await this._step('email', order, (key) => env.external.email(order, shipment, key));
    // State changes after the last durable wait: they commit with the result.
    this.state.orders += 1;
    this.state.charged += order.amount;
    return { orderId: order.id, chargeId: charge.chargeId, trackingNo: shipment.trackingNo, emailId: email.emailId };
  }

  // Methods whose names start with `_` are not handlers.
  async _step(name, order, fn) {
    let ran = false;
    const value = await this.step(name, (key) => {
      ran = true;
      return fn(key);
    });
    const id = `${order.id}:${name}`;
    if (ran) {
      seenHere.add(id);
      env.say(`${order.id}: ${name} done and journaled`);
      env.event({ event: 'journaled', order: order.id, step: name });
    } else if (!seenHere.has(id)) {
      seenHere.add(id);
      env.say(`${order.id}: ${name} already journaled by an earlier worker -> result read from the journal, not run again`);
      env.event({ event: 'replayed', order: order.id, step: name });
    }
    return value;
  }
}
