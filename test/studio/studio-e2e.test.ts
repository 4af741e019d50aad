/**
 * Loom Studio end to end, in a real browser (Debian's chromium via playwright-core),
 * over a real SQLite file and a real PostgreSQL schema. A worker runtime runs the
 * actors; Studio is served over its own connection to the same store, as
 * `loom studio --store <url>` serves it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { ActorRuntime, type Store } from '../../src/index.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { PostgresStore } from '../../src/adapters/postgres/store.js';
import { MemoryStore } from '../../src/adapters/memory/store.js';
import { startStudio, type StudioServer } from '../../src/studio/index.js';
import { observe, StoreTraceSink } from '../../src/observability/index.js';
import { adminPool, postgresUrl, unreachable } from '../support/postgres.js';
import { backendUnavailable } from '../support/backend.js';
import { launchBrowser, requireBuiltUi, screenshot } from './browser.js';
import { Account, control, Orders, Refunds, Slow } from './actors.js';

interface Backend {
  name: string;
  /** Two stores over the same data: one for the worker, one for Studio. */
  open(): Promise<{ worker: Store; studio: Store; cleanup: () => Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'loom-studio-e2e-'));
    const path = join(dir, 'loom.db');
    return { worker: new SqliteStore({ path }), studio: new SqliteStore({ path }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  async open() {
    const schema = `studio_e2e_${randomBytes(4).toString('hex')}`;
    const admin = adminPool();
    return {
      worker: new PostgresStore(postgresUrl, { schema }),
      studio: new PostgresStore(postgresUrl, { schema }),
      cleanup: async () => {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
        await admin.end();
      },
    };
  },
};

/** The in-process store, shared by the worker and Studio: the `loom dev` shape without a file. */
const memory: Backend = {
  name: 'memory',
  async open() {
    const store = new MemoryStore();
    return { worker: store, studio: store, cleanup: async () => {} };
  },
};

const TIMEOUT = { timeout: 60_000 };
const WAIT = { timeout: 15_000 };

function suite(backend: Backend): void {
  describe(`Studio in a browser over ${backend.name}`, { timeout: 300_000 }, () => {
    let worker: ActorRuntime;
    let studio: StudioServer;
    let closeBrowser: () => Promise<void>;
    let page: Page;
    let cleanup: () => Promise<void>;
    let auditFile: string;
    const shot = (name: string) => screenshot(page, `${backend.name.toLowerCase()}-${name}`);

    before(async () => {
      requireBuiltUi();
      const stores = await backend.open();
      cleanup = stores.cleanup;
      worker = new ActorRuntime({ store: stores.worker, pollIntervalMs: 100 }).register(Orders).register(Refunds).register(Account).register(Slow);
      observe(worker, { traceSinks: [new StoreTraceSink()] });
      await worker.start();
      auditFile = join(mkdtempSync(join(tmpdir(), 'loom-studio-audit-')), 'audit.jsonl');
      studio = await startStudio({ store: stores.studio, port: 0, audit: auditFile, storeLabel: backend.name });
      const launched = await launchBrowser();
      closeBrowser = launched.close;
      page = launched.context.pages()[0] ?? (await launched.context.newPage());
    });

    after(async () => {
      await closeBrowser?.();
      await studio?.close();
      await worker?.stop();
      await cleanup?.();
    });

    it('finds a dead-lettered invocation by filter, opens its timeline, re-drives it and watches it complete live', TIMEOUT, async () => {
      control.failing = true;
      const { invocationId } = await worker.send({ actorType: 'Orders', actorId: 'o-1', method: 'place', args: [{ id: 'o-1', amount: 30 }] });
      await waitFor(async () => (await worker.getInvocation(invocationId))?.status === 'dead');

      await page.goto(`${studio.url}#/invocations`);
      await page.getByRole('link', { name: 'Dead letters' }).click();
      await page.locator('input[name=type]').fill('Orders');
      await page.locator('input[name=error]').fill('CARD_DECLINED');
      await page.getByRole('button', { name: 'Filter' }).click();
      const row = page.locator(`tr[data-id="${invocationId}"]`);
      await row.waitFor(WAIT);
      assert.match(await row.innerText(), /card declined for o-1/);
      await shot('dead-letters');

      await row.getByRole('link', { name: invocationId }).click();
      await page.locator('.badge-dead').first().waitFor(WAIT);
      await shot('dead-letter');
      control.failing = false;
      await page.getByRole('button', { name: 'Re-drive' }).click();
      // No reload: the live view shows it completing.
      await page.locator('.facts .badge-completed').waitFor(WAIT);
      assert.match(await page.locator('.two').innerText(), /"ok": "o-1"/);
      assert.equal((await worker.getInvocation(invocationId))?.status, 'completed');
      const audit = readFileSync(auditFile, 'utf8');
      assert.match(audit, new RegExp(`"action":"redrive","target":"${invocationId}".*"outcome":"ok"`));

      // Its trace events, with each reference a link: the state version it produced opens the actor.
      await page.locator('table.traces td', { hasText: 'actor:invocation_completed' }).waitFor(WAIT);
      await shot('traces');
      await page.locator('table.traces a.ref', { hasText: /^state Orders\/o-1 v1$/ }).first().click();
      await page.locator('.badge.version', { hasText: /^version 1$/ }).waitFor(WAIT);
      assert.match(await page.locator('pre.state').innerText(), /"placed": 1/);
    });

    it('draws a suspended invocation\'s journal as a timeline and resolves its promise from the page', TIMEOUT, async () => {
      const { invocationId } = await worker.send({ actorType: 'Refunds', actorId: 'r-1', method: 'request', args: [{ id: 'r-1' }] });
      await waitFor(async () => (await worker.getInvocation(invocationId))?.waitingOn !== undefined);
      await page.goto(`${studio.url}#/invocations/${invocationId}`);
      await page.locator('.timeline li[data-kind=promise]').waitFor(WAIT);
      assert.deepEqual(await page.locator('.timeline li').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))), ['step', 'now', 'promise']);
      await shot('timeline');
      await page.getByLabel('promise value').fill('{"approved": true}');
      await page.getByRole('button', { name: 'Resolve promise' }).click();
      await page.locator('.facts .badge-completed').waitFor(WAIT);
      assert.match(await page.locator('.two').innerText(), /"refunded"/);
    });

    it('calls a handler from the form and shows its result', TIMEOUT, async () => {
      await page.goto(`${studio.url}#/invoke`);
      await page.locator('input[name=type]').fill('Account');
      await page.locator('input[name=method]').fill('deposit');
      await page.locator('input[name=actorId]').fill('acc-form');
      await page.locator('textarea[name=args]').fill('[5, ');
      await page.getByText('not JSON').waitFor(WAIT);
      assert.equal(await page.getByRole('button', { name: 'Call (wait for result)' }).isDisabled(), true);
      await page.locator('textarea[name=args]').fill('[5]');
      await page.locator('input[name=key]').fill('form-deposit-1');
      await page.getByRole('button', { name: 'Call (wait for result)' }).click();
      await page.locator('pre.result').waitFor(WAIT);
      assert.equal((await page.locator('pre.result').innerText()).trim(), '5');
      await shot('invoke');
      assert.deepEqual(await worker.getState('Account', 'acc-form'), { balance: 5 });
    });

    it('edits state with the optimistic check and refuses a stale edit', TIMEOUT, async () => {
      await worker.call({ actorType: 'Account', actorId: 'acc-1', method: 'deposit', args: [10] });
      await page.goto(`${studio.url}#/actors/Account/acc-1`);
      await page.locator('.badge.version', { hasText: /^version 1$/ }).waitFor(WAIT);
      await page.getByRole('button', { name: 'Edit state' }).click();
      await page.locator('textarea[name=state]').fill('{"balance": 1000}');
      // The actor commits meanwhile: the edit was made against version 1.
      await worker.call({ actorType: 'Account', actorId: 'acc-1', method: 'deposit', args: [1] });
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('.error.stale').waitFor(WAIT);
      assert.deepEqual(await worker.getState('Account', 'acc-1'), { balance: 11 });
      await page.getByRole('button', { name: 'Discard' }).click();
      await page.locator('.badge.version', { hasText: /^version 2$/ }).waitFor(WAIT);
      await page.getByRole('button', { name: 'Edit state' }).click();
      await page.locator('textarea[name=state]').fill('{"balance": 1000}');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('p.message, p.error').waitFor(WAIT);
      assert.equal(await page.locator('p.message, p.error').innerText(), 'saved as version 3');
      assert.deepEqual(await worker.getState('Account', 'acc-1'), { balance: 1000 });
    });

    it('bulk-cancels by filter: the count first, a confirmation, progress, and every one cancelled', TIMEOUT, async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await worker.send({ actorType: 'Slow', actorId: `s-${i}`, method: 'wait', args: [] })).invocationId);
      await waitFor(async () => (await Promise.all(ids.map((id) => worker.getInvocation(id)))).every((r) => r?.started));
      await page.goto(`${studio.url}#/invocations?tab=not-running&type=Slow`);
      await page.locator('tr[data-id] .badge-sleeping').first().waitFor(WAIT);
      await shot('invocations');
      await page.getByRole('button', { name: 'Cancel…' }).click();
      await page.locator('.bulk-count').waitFor(WAIT);
      assert.equal(await page.locator('.bulk-count').innerText(), '6');
      await page.getByRole('button', { name: 'Yes, cancel 6' }).click();
      await page.locator('.bulk-finished').waitFor(WAIT);
      assert.equal(await page.locator('.bulk-done').innerText(), '6');
      for (const id of ids) {
        const rec = await worker.getInvocation(id);
        assert.equal(rec?.status, 'failed');
        assert.equal(rec?.error?.code, 'LOOM_CANCELLED');
      }
      assert.match(readFileSync(auditFile, 'utf8'), /"action":"bulk-cancel".*"detail":"done 6 of 6/);
    });

    it('shows partitions with their owner and epoch', TIMEOUT, async () => {
      await page.goto(`${studio.url}#/partitions`);
      await page.locator('.grid .cell.held').first().waitFor(WAIT);
      assert.equal(await page.locator('.grid .cell').count(), 64);
      await shot('partitions');
    });
  });
}

const only = process.env.LOOM_STUDIO_E2E_BACKEND;
for (const backend of [memory, sqlite, postgres].filter((b) => !only || b.name === only)) {
  if (backend === postgres) {
    const probe = adminPool();
    const why = await unreachable(probe);
    await probe.end();
    if (why) {
      backendUnavailable('Studio in a browser over PostgreSQL', 'PostgreSQL', why, 'LOOM_TEST_POSTGRES_URL');
      continue;
    }
  }
  suite(backend);
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
