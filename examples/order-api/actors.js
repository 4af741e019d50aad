// The example's actors. Orders: one actor per order id, so an order's messages
// never race. Ledger: one actor that keeps the day's totals. Reports: the
// nightly report, fired by a schedule.
import { Actor, TerminalError } from '../../dist/index.js';

export class Orders extends Actor {
  static initialState = { status: 'new' };
  static defaultHandler = 'place';

  async place(order) {
    if (this.state.status !== 'new') return { orderId: this.actorId, status: this.state.status };
    if (!(order.quantity > 0)) throw new TerminalError(`order ${this.actorId}: quantity must be positive`, { code: 'BAD_QUANTITY' });
    const total = order.quantity * order.unitPrice;
    this.state = { status: 'placed', item: order.item, total };
    this.send('Ledger', 'ledger', 'record', { orderId: this.actorId, total }); // sent when this turn commits
    return { orderId: this.actorId, status: 'placed', total };
  }
}

export class Ledger extends Actor {
  static initialState = { orders: 0, revenue: 0 };

  async record(entry) {
    this.state.orders += 1;
    this.state.revenue += entry.total;
    return this.state;
  }

  async summary() {
    return { ...this.state };
  }
}

export class Reports extends Actor {
  static initialState = { reports: [] };

  async nightly(tick) {
    const totals = await this.call('Ledger', 'ledger', 'summary'); // durable request/response
    const report = { tick: tick.tick, ...totals };
    this.state.reports.push(report);
    return report;
  }
}
