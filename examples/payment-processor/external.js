// The demo's fake external systems: a payment provider, a warehouse and a mailer.
//
// Like real ones (Stripe's Idempotency-Key header, for one), each applies a
// request at most once per idempotency key and answers a repeated key with the
// first answer. That is what makes Loom's step keys useful: a step re-runs only
// if its worker died before the step's result was journaled, and it re-runs
// with the same key, so the provider can recognise the retry.
//
// Everything is kept in one JSON file, replaced atomically on every write, so
// that it survives the SIGKILL of the worker process that was writing it.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const forever = () => new Promise(() => {});

/** Shortens a step key (`<invocation uuid>:<position>:<step name>`) for display. */
export function shortKey(key) {
  return key.replace(/^([0-9a-f]{8})[0-9a-f-]{28}/, '$1…');
}

export class ExternalSystems {
  /**
   * @param {string} file the JSON file holding every system's records
   * @param {{ say: (line: string) => void, event: (e: object) => void, stalls?: Set<string>, latencyMs?: number }} options
   *   `stalls` holds `charge-reply:<orderId>` entries: the provider applies that charge but its reply never arrives.
   */
  constructor(file, options) {
    this.file = file;
    this.say = options.say;
    this.event = options.event;
    this.stalls = options.stalls ?? new Set();
    this.latencyMs = options.latencyMs ?? 40;
  }

  /** Every record and every request received, as stored in the file. */
  read() {
    if (!existsSync(this.file)) return { charges: {}, shipments: {}, emails: {}, requests: [] };
    return JSON.parse(readFileSync(this.file, 'utf8'));
  }

  write(data) {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2));
    renameSync(tmp, this.file);
  }

  /** Applies a request once per key: a known key gets the stored record back. */
  apply(system, key, make) {
    const data = this.read();
    data.requests.push({ system, key });
    const existing = data[system][key];
    if (existing) {
      this.write(data);
      return { record: existing, repeated: true };
    }
    const record = make(Object.keys(data[system]).length + 1);
    data[system][key] = record;
    this.write(data);
    return { record, repeated: false };
  }

  async charge(order, key) {
    await pause(this.latencyMs / 2);
    const { record, repeated } = this.apply('charges', key, (n) => ({ chargeId: `ch_${n}`, orderId: order.id, amount: order.amount }));
    if (repeated) {
      this.say(`  provider: key ${shortKey(key)} seen before -> returns ${record.chargeId} again, no new charge`);
    } else {
      this.say(`  provider: charged ${order.id} ${order.amount.toFixed(2)} EUR as ${record.chargeId} (key ${shortKey(key)})`);
    }
    this.event({ event: 'charged', order: order.id, chargeId: record.chargeId, repeated });
    if (this.stalls.has(`charge-reply:${order.id}`)) {
      this.say(`  provider: the reply for ${order.id} is stuck in the network (simulated)`);
      return forever();
    }
    await pause(this.latencyMs / 2);
    return record;
  }

  async ship(order, key) {
    await pause(this.latencyMs);
    const { record, repeated } = this.apply('shipments', key, (n) => ({ trackingNo: `TRK-${1000 + n}`, orderId: order.id }));
    this.say(`  warehouse: ${repeated ? 'known key, same parcel' : 'parcel booked'} ${record.trackingNo} for ${order.id}`);
    return record;
  }

  async email(order, shipment, key) {
    await pause(this.latencyMs);
    const { record, repeated } = this.apply('emails', key, (n) => ({ emailId: `mail-${n}`, orderId: order.id, to: order.customer }));
    this.say(`  mailer: ${repeated ? 'known key, not sent again' : 'sent'} receipt for ${order.id} to ${order.customer} (tracking ${shipment.trackingNo})`);
    return record;
  }
}
