import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// An adapter whose folder stops running the shared suite would drift silently;
// this makes that a failing test instead.
const adaptersDir = fileURLToPath(new URL('../src/adapters/', import.meta.url));
const adapters = readdirSync(adaptersDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const wiring = /\b(storeContract|transportContract)\(/;

describe('contract wiring', () => {
  it('finds the adapter folders, the memory store among them', () => {
    assert.ok(adapters.includes('memory'), `adapter folders found in ${adaptersDir}: ${adapters.join(', ')}`);
  });

  for (const name of adapters) {
    it(`src/adapters/${name} runs a shared contract suite`, () => {
      const dir = join(adaptersDir, name);
      const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts'));
      const wired = tests.filter((f) => wiring.test(readFileSync(join(dir, f), 'utf8')));
      assert.ok(
        wired.length > 0,
        `src/adapters/${name} has no *.test.ts calling storeContract( or transportContract( (found: ${tests.join(', ') || 'no test files'}). ` +
          `Add src/adapters/${name}/${name}.test.ts that runs the contract from src/testing/index.ts against this adapter.`,
      );
    });
  }
});
