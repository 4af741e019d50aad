import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Deadlines } from './deadlines.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Deadlines', () => {
  it('fires a deadline once its time has come, and not before', async () => {
    const d = new Deadlines();
    const t0 = performance.now();
    const fired = await new Promise<number>((resolve) => d.add(40, () => resolve(performance.now() - t0)));
    assert.ok(fired >= 39, `fired after ${fired} ms`);
    assert.equal(d.size, 0);
  });

  it('a cancelled deadline never fires, and lets go of its callback', async () => {
    const d = new Deadlines();
    let fired = false;
    const fire = () => (fired = true);
    const entry = d.add(10, fire);
    d.cancel(entry);
    assert.notEqual(entry.fire, fire);
    await sleep(40);
    assert.equal(fired, false);
    assert.equal(d.size, 0);
  });

  it('a shorter deadline added later fires first', async () => {
    const d = new Deadlines();
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      d.add(80, () => {
        order.push('long');
        resolve();
      });
      d.add(10, () => order.push('short'));
    });
    assert.deepEqual(order, ['short', 'long']);
  });

  it('fires every due deadline of a lane in one expiry, and keeps the rest armed', async () => {
    const d = new Deadlines();
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) d.add(10, () => fired.push(i));
    const late = d.add(200, () => fired.push(99));
    await sleep(60);
    assert.deepEqual(fired, [0, 1, 2, 3, 4]);
    assert.equal(d.size, 1);
    d.cancel(late);
  });

  it('cancelled entries behind a live one do not pile up', () => {
    const d = new Deadlines();
    const head = d.add(60_000, () => {});
    for (let i = 0; i < 100_000; i++) d.cancel(d.add(60_000, () => {}));
    assert.equal(d.size, 1);
    assert.ok(d.held < 1000, `${d.held} entries held for 1 live deadline`);
    d.cancel(head);
    assert.equal(d.held, 0);
  });
});

it('holds no timer once no deadline is live, so an idle process can exit', () => {
  const d = new Deadlines();
  const a = d.add(30_000, () => {});
  const b = d.add(10_000, () => {});
  d.cancel(a);
  d.cancel(b);
  assert.equal((d as unknown as { timer: unknown }).timer, undefined);
});
