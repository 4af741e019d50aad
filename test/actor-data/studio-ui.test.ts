// Studio's actor page shows the actor's keys and pages through its logs (chromium, built UI).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Actor } from '../../src/index.js';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { startStudio } from '../../src/studio/index.js';
import { sqliteRuntime, tempDir } from '../support/runtime.js';
import { launchBrowser, requireBuiltUi, screenshot } from '../studio/browser.js';

class Chat extends Actor {
  async post(text: string) {
    this.log('messages').append({ text });
    this.kv.set('last', { text });
  }
}

const WAIT = { timeout: 20_000 };

it('the actor page lists keys and logs, shows a key, and pages a log newest first, then older', { timeout: 120_000 }, async (t) => {
  requireBuiltUi();
  const dir = tempDir();
  t.after(dir.cleanup);
  const rt = sqliteRuntime(dir.db);
  t.after(() => rt.stop());
  rt.register(Chat);
  for (let i = 0; i < 25; i++) await rt.call({ actorType: 'Chat', actorId: 'c1', method: 'post', args: [`m${i}`] });
  const studio = await startStudio({ store: new SqliteStore({ path: dir.db }), port: 0, audit: join(dir.dir, 'audit.jsonl') });
  t.after(() => studio.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  await page.goto(`${studio.url}#/actors/Chat/c1`);
  await page.getByRole('heading', { name: 'Logs (this.log)' }).waitFor(WAIT);
  await page.getByRole('button', { name: 'last' }).click();
  await page.locator('pre.state', { hasText: '"m24"' }).waitFor(WAIT);
  await page.getByRole('button', { name: 'messages' }).click();
  await page.locator('.log-page td.mono', { hasText: /^24$/ }).waitFor(WAIT);
  assert.equal(await page.locator('.log-page tr').count(), 20);
  assert.equal(await page.locator('.log-page td.mono').first().innerText(), '5');
  await page.getByRole('button', { name: 'older' }).click();
  await page.locator('.log-page td.mono', { hasText: /^0$/ }).waitFor(WAIT);
  assert.equal(await page.locator('.log-page tr').count(), 20, 'entries 0–19');
  await screenshot(page, 'actor-data');
});
