import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery, Transport, WorkNotice } from '../ports/transport.js';

/** Builds a transport for one test; `name` isolates its queues/streams from other tests. */
export type TransportFactory = (name: string) => Promise<{ transport: Transport; cleanup?: () => Promise<void> }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/**
 * The Transport contract: every transport adapter runs it with a few lines of
 * wiring. Tests that need redelivery run only for `'at-least-once'` transports,
 * and the declared capability is itself asserted, so no test is skipped silently.
 */
export function transportContract(adapter: string, factory: TransportFactory, expected: Transport['capabilities']): void {
  describe(`Transport contract: ${adapter}`, () => {
    const open = async () => {
      const made = await factory(`t${randomUUID().slice(0, 8)}`);
      await made.transport.start();
      return {
        t: made.transport,
        done: async () => {
          await made.transport.close().catch(() => {});
          await made.cleanup?.();
        },
      };
    };
    const notice = (partition: number): WorkNotice => ({ partition, invocationId: randomUUID() });

    it('declares its delivery guarantee', async () => {
      const { t, done } = await open();
      try {
        assert.deepEqual(t.capabilities, expected);
      } finally {
        await done();
      }
    });

    it('delivers every published notice of the consumed partitions, and none of the others', async () => {
      const { t, done } = await open();
      try {
        const got: Delivery[] = [];
        await t.consume([0, 1], (d) => {
          got.push(d);
          void d.ack();
        });
        await sleep(50);
        const mine = [notice(0), notice(1), notice(0), notice(1), notice(0)];
        const others = [notice(2), notice(3)];
        await t.publish([...mine, ...others]);
        await until('5 notices arrive', () => got.length >= 5);
        await sleep(200);
        assert.deepEqual(got.map((d) => d.notice.invocationId).sort(), mine.map((n) => n.invocationId).sort());
        for (const d of got) assert.ok([0, 1].includes(d.notice.partition));
      } finally {
        await done();
      }
    });

    it('delivers a batch of 500 notices', async () => {
      const { t, done } = await open();
      try {
        const seen = new Set<string>();
        await t.consume([0, 1, 2, 3], (d) => {
          seen.add(d.notice.invocationId);
          void d.ack();
        });
        await sleep(50);
        const batch = Array.from({ length: 500 }, (_, i) => notice(i % 4));
        await t.publish(batch);
        await until('500 notices arrive', () => seen.size >= 500, 15000);
        assert.equal(seen.size, 500);
      } finally {
        await done();
      }
    });

    it('stops delivering a partition once it is dropped from the consumed set', async () => {
      const { t, done } = await open();
      try {
        const got: WorkNotice[] = [];
        const handler = (d: Delivery) => {
          got.push(d.notice);
          void d.ack();
        };
        await t.consume([0, 1], handler);
        await t.consume([1], handler);
        await sleep(100);
        await t.publish([notice(0), notice(1)]);
        await until('partition 1 arrives', () => got.length >= 1);
        await sleep(300);
        assert.deepEqual(got.map((n) => n.partition), [1]);
      } finally {
        await done();
      }
    });

    if (expected.delivery === 'at-least-once') {
      it('redelivers an unacknowledged notice to the next consumer after the first one closes', async () => {
        const name = `t${randomUUID().slice(0, 8)}`;
        const a = await factory(name);
        const b = await factory(name);
        try {
          await a.transport.start();
          const firstGot: Delivery[] = [];
          await a.transport.consume([5], (d) => firstGot.push(d));
          await sleep(50);
          const n = notice(5);
          await a.transport.publish([n]);
          await until('the first consumer gets it', () => firstGot.length === 1);
          await a.transport.close();
          await b.transport.start();
          const secondGot: Delivery[] = [];
          await b.transport.consume([5], (d) => {
            secondGot.push(d);
            void d.ack();
          });
          await until('the notice is redelivered', () => secondGot.length >= 1, 15000);
          assert.equal(secondGot[0]!.notice.invocationId, n.invocationId);
        } finally {
          await a.transport.close().catch(() => {});
          await b.transport.close().catch(() => {});
          await a.cleanup?.();
          await b.cleanup?.();
        }
      });

      it('does not redeliver an acknowledged notice', async () => {
        const name = `t${randomUUID().slice(0, 8)}`;
        const a = await factory(name);
        const b = await factory(name);
        try {
          await a.transport.start();
          const got: Delivery[] = [];
          await a.transport.consume([6], (d) => got.push(d));
          await sleep(50);
          await a.transport.publish([notice(6)]);
          await until('it arrives', () => got.length === 1);
          await got[0]!.ack();
          await a.transport.close();
          await b.transport.start();
          const again: Delivery[] = [];
          await b.transport.consume([6], (d) => again.push(d));
          await sleep(1500);
          assert.equal(again.length, 0);
        } finally {
          await a.transport.close().catch(() => {});
          await b.transport.close().catch(() => {});
          await a.cleanup?.();
          await b.cleanup?.();
        }
      });
    }
  });
}
