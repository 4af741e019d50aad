import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { schemaText, withReference } from '../../scripts/config-docs.js';

it('the shipped JSON Schema is the one generated from the config schema (run scripts/config-docs.ts after changing it)', { timeout: 10_000 }, () => {
  assert.equal(readFileSync('loom.config.schema.json', 'utf8'), schemaText());
});

it("docs/configuration.md's key reference is the one generated from the config schema", { timeout: 10_000 }, () => {
  const doc = readFileSync('docs/configuration.md', 'utf8');
  assert.equal(doc, withReference(doc));
  assert.match(doc, /\| `actors\.<name>\.retryPolicy\.backoff` \|/);
});
