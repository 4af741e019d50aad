import { Actor } from '../../src/index.js';

/** Switches the test flips to make Orders fail or succeed. */
export const control = { failing: true };

export class Orders extends Actor<{ placed: number }> {
  static initialState = { placed: 0 };
  static config = { retryPolicy: { maxAttempts: 1 } };

  async place(order: { id: string; amount: number }) {
    await this.step('reserve', async () => `res-${order.id}`);
    await this.step('charge', async () => {
      if (control.failing) throw Object.assign(new Error(`card declined for ${order.id}`), { code: 'CARD_DECLINED' });
      return { charged: order.amount };
    });
    this.state.placed++;
    return { ok: order.id };
  }
}

export class Refunds extends Actor {
  async request(refund: { id: string }) {
    await this.step('ask', async () => `asked-${refund.id}`);
    this.now();
    const decision = await this.promise<{ approved: boolean }>('approval');
    return decision.approved ? 'refunded' : 'rejected';
  }
}

export class Account extends Actor<{ balance: number }> {
  static initialState = { balance: 0 };

  async deposit(amount: number) {
    this.state.balance += amount;
    return this.state.balance;
  }
}

export class Slow extends Actor {
  async wait() {
    await this.sleep('1h');
    return 'woke';
  }
}
