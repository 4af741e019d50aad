import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium package (installed by .ci/run); never a downloaded browser. */
export const CHROMIUM = process.env.LOOM_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of the main views, kept as test artifacts (gitignored). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'studio');

/** A headless chromium with a fresh profile (its --user-data-dir); `close` removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'loom-studio-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the page under test-artifacts/studio/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Studio serves the built UI: fail with the fix when it was not built. */
export function requireBuiltUi(): void {
  if (!existsSync(join(process.cwd(), 'studio', 'dist', 'index.html'))) {
    throw new Error('the Studio UI is not built: run `npm run build` (or `npm run build:studio`) before these tests');
  }
}
