import { it } from 'node:test';
import assert from 'node:assert/strict';
import { redact, redactingLogger, REDACTED } from '../../src/secrets/index.js';
import { addKnownSecret } from '../../src/core/redact.js';
import { toErrorInfo } from '../../src/core/errors.js';

it('masks every known secret value in log lines and stored errors, longest first, and leaves short values alone', { timeout: 5_000 }, () => {
  addKnownSecret('tok-ABC.123+xyz');
  addKnownSecret('tok-ABC.123+xyz-longer');
  addKnownSecret('ab');
  const lines: string[] = [];
  const log = redactingLogger({ debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) });
  log.warn('retrying with tok-ABC.123+xyz-longer and tok-ABC.123+xyz (ab)');
  assert.deepEqual(lines, [`retrying with ${REDACTED} and ${REDACTED} (ab)`]);
  assert.equal(redactingLogger(log), log, 'wrapping twice is wrapping once');
  const info = toErrorInfo(new Error('auth failed: tok-ABC.123+xyz'));
  assert.equal(info.message, `auth failed: ${REDACTED}`);
  assert.ok(!info.stack!.includes('tok-ABC.123+xyz'));
  assert.match(toErrorInfo({ key: 'tok-ABC.123+xyz' }).message, /\[redacted secret\]/);
  assert.equal(redact('nothing secret here'), 'nothing secret here');
});
