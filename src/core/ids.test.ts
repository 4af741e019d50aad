import { it } from 'node:test';
import assert from 'node:assert/strict';
import { newId } from './ids.js';

it('newId gives distinct version 4 UUIDs', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const id = newId();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 20_000);
});
