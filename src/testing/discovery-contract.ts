import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DiscoveryEntryInput, DiscoveryStore } from '../ports/discovery.js';

/** What a discovery contract factory returns: a discovery store and how to dispose of it. */
export type DiscoveryStoreFactory = () => Promise<{ discovery: DiscoveryStore; cleanup?: () => Promise<void> }>;

/** Declares the DiscoveryStore port's contract tests (node:test); each test uses capabilities of its own. */
export function discoveryContract(name: string, factory: DiscoveryStoreFactory): void {
  const test = (title: string, body: (d: DiscoveryStore, cap: (n: string) => string) => Promise<void>) =>
    it(title, { timeout: 30_000 }, async () => {
      const { discovery, cleanup } = await factory();
      const tag = randomUUID().slice(0, 8);
      try {
        await body(discovery, (n) => `${n}-${tag}`);
      } finally {
        await cleanup?.();
      }
    });
  const entry = (actorId: string, capabilities: string[], extra: Partial<DiscoveryEntryInput> = {}): DiscoveryEntryInput => ({
    actorType: 'Psp', actorId, capabilities, metadata: {}, owner: 'w1', load: 0, ...extra,
  });

  describe(`DiscoveryStore contract: ${name}`, () => {
    test('find returns the live entries offering a capability, with their metadata, by type and id', async (d, cap) => {
      await d.put(entry('b', [cap('stripe'), cap('paypal')], { metadata: { region: 'us-east-1', weight: 2 }, load: 3 }), 10_000);
      await d.put(entry('a', [cap('stripe')]), 10_000);
      await d.put(entry('c', [cap('paypal')]), 10_000);
      const found = await d.find(cap('stripe'));
      assert.deepEqual(found.map((e) => e.actorId), ['a', 'b']);
      const b = found[1]!;
      assert.deepEqual(b.metadata, { region: 'us-east-1', weight: 2 });
      assert.deepEqual([...b.capabilities].sort(), [cap('paypal'), cap('stripe')].sort());
      assert.equal(b.load, 3);
      assert.equal(b.owner, 'w1');
      assert.ok(b.expiresAt > Date.now() - 60_000, `expiresAt ${b.expiresAt} is an epoch ms time`);
      assert.deepEqual(await d.find(cap('none')), []);
    });

    test('an entry that is not refreshed expires; a refreshed one lives on', async (d, cap) => {
      await d.put(entry('short', [cap('x')]), 300);
      await d.put(entry('kept', [cap('x')]), 300);
      for (let i = 0; i < 4; i++) {
        await sleep(150);
        await d.put(entry('kept', [cap('x')]), 300);
      }
      assert.deepEqual((await d.find(cap('x'))).map((e) => e.actorId), ['kept']);
    });

    test('a new registration replaces capabilities and metadata', async (d, cap) => {
      await d.put(entry('a', [cap('old')], { metadata: { v: 1 } }), 10_000);
      await d.put(entry('a', [cap('new')], { metadata: { v: 2 } }), 10_000);
      assert.deepEqual(await d.find(cap('old')), []);
      assert.deepEqual((await d.find(cap('new'))).map((e) => e.metadata), [{ v: 2 }]);
    });

    test('remove drops an entry at once and reports whether there was one', async (d, cap) => {
      await d.put(entry('a', [cap('x')]), 10_000);
      assert.equal(await d.remove('Psp', 'a'), true);
      assert.equal(await d.remove('Psp', 'a'), false);
      assert.deepEqual(await d.find(cap('x')), []);
    });
  });
}
