// Actors the HTTP trigger tests call.
import { Actor, TerminalError } from '../../src/index.js';

export const calls = { orders: 0 };

export class Orders extends Actor<{ placed: number; items: string[] }> {
  static initialState = { placed: 0, items: [] as string[] };
  static defaultHandler = 'place';

  async place(order: { id: string; item: string; slowMs?: number; refuse?: boolean }) {
    calls.orders++;
    if (order.refuse) throw new TerminalError(`order ${order.id} is refused`, { code: 'ORDER_REFUSED' });
    if (order.slowMs) await new Promise((r) => setTimeout(r, order.slowMs));
    this.state.placed += 1;
    this.state.items.push(order.item);
    return { orderId: this.actorId, placed: this.state.placed };
  }

  async cancel(reason: string, by: string) {
    return { cancelled: this.actorId, reason, by };
  }
}
