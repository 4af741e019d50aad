import { Actor } from '../../src/index.js';

/** A payment provider outside Loom: charges by idempotency key when given one. */
export const psp = {
  charges: [] as { order: string; amount: number; key?: string }[],
  reset() {
    this.charges = [];
  },
  charge(order: string, amount: number, key?: string) {
    if (key && this.charges.some((c) => c.key === key)) return this.charges.find((c) => c.key === key)!;
    const c = { order, amount, ...(key ? { key } : {}) };
    this.charges.push(c);
    return c;
  },
};

/** The payment demo, correct: the charge is a step that passes its key on. */
export class Payments extends Actor<{ total: number }> {
  static initialState = { total: 0 };
  async pay(order: { id: string; amount: number }) {
    const receipt = await this.step('charge', (key) => psp.charge(order.id, order.amount, key));
    this.state.total += order.amount;
    return receipt.order;
  }
}

export class Orders extends Actor<{ placed: string[] }> {
  static initialState = { placed: [] as string[] };
  async place(order: { id: string; amount: number }) {
    const paid = await this.call<string>('Payments', 'psp-1', 'pay', order);
    await this.sleep('1h');
    this.send('Mailer', order.id, 'confirm', paid);
    this.state.placed.push(order.id);
    return paid;
  }
}

export class Mailer extends Actor<{ sent: number }> {
  static initialState = { sent: 0 };
  async confirm(_order: string) {
    this.state.sent += 1;
  }
}

/** A bug: the charge runs outside a step, so every replay (after a crash or a retry) charges again. */
export class CarelessPayments extends Actor<{ total: number }> {
  static actorType = 'Payments';
  static initialState = { total: 0 };
  async pay(order: { id: string; amount: number }) {
    psp.charge(order.id, order.amount);
    await this.step('record', () => true);
    this.state.total += order.amount;
    return order.id;
  }
}

/** A bug: the handler branches on the wall clock instead of this.now(). */
export class ClockReader extends Actor {
  async stamp() {
    return Date.now() % 2 === 0 ? 'even' : 'odd';
  }
}

/** A bug: a step name that depends on time, so a replay asks for another step than the journal holds. */
export class TimeNamedStep extends Actor {
  async run() {
    await this.step(`fetch-${Math.floor(Date.now() / 1000)}`, () => 1);
    await this.sleep('5s');
    return 'done';
  }
}

/** Waits a day, durably. */
export class Reminder extends Actor {
  async remind(what: string) {
    await this.sleep('1d');
    return `remember ${what}`;
  }
}
