// The `npm test` reporter: one progress line per test file as it finishes, each
// failure with its file, test name and error, then the runner's summary.
// LOOM_TEST_REPORTER=spec npm test gives node's spec reporter instead.
import { relative } from 'node:path';

const rel = (f) => (f ? relative(process.cwd(), f) : '(no file)');

export default async function* progress(source) {
  const perFile = new Map();
  const failures = [];
  const summary = [];
  const stats = (file) => {
    let s = perFile.get(rel(file));
    if (!s) perFile.set(rel(file), (s = { pass: 0, fail: 0, skip: 0 }));
    return s;
  };
  for await (const { type, data } of source) {
    if (type === 'test:pass' && data.name !== data.file) {
      const s = stats(data.file);
      if (data.skip !== undefined || data.todo !== undefined) s.skip++;
      else if (data.details.type !== 'suite') s.pass++;
    } else if (type === 'test:fail' && data.name !== data.file) {
      const err = data.details.error;
      // A suite fails when a test in it failed; report the test, not the suite again.
      if (err?.failureType === 'subtestsFailed') continue;
      stats(data.file).fail++;
      const cause = err?.cause instanceof Error ? err.cause : err;
      const text = `${rel(data.file)}  ${data.name}\n    ${String(cause?.stack ?? cause?.message ?? cause).split('\n').slice(0, 12).join('\n    ')}`;
      failures.push(text);
      yield `  FAIL ${text}\n`;
    } else if (type === 'test:complete' && data.nesting === 0 && data.name === data.file) {
      const s = stats(data.file);
      const secs = (data.details.duration_ms / 1000).toFixed(1);
      const failed = !data.details.passed;
      const lastErr = (s.stderr ?? []).join('').trim().split('\n').slice(-3).join(' | ');
      const why = failed && s.fail === 0 ? `  (exit ${data.details.error?.exitCode ?? '?'}${lastErr ? `; stderr: ${lastErr}` : ''})` : '';
      if (failed && s.fail === 0) failures.push(`${rel(data.file)}  the file failed outside its tests${why}`);
      yield `${failed ? 'FAIL' : 'ok  '} ${rel(data.file)}  ${s.pass} passed${s.fail ? `, ${s.fail} failed` : ''}${s.skip ? `, ${s.skip} skipped` : ''}  ${secs}s${why}\n`;
    } else if (type === 'test:diagnostic' && data.nesting === 0 && data.file === undefined) {
      summary.push(data.message);
    } else if (type === 'test:stderr' || type === 'test:stdout') {
      if (type === 'test:stderr' && data.file) (stats(data.file).stderr ??= []).push(data.message);
      if (process.env.LOOM_TEST_OUTPUT) yield data.message;
    }
  }
  if (failures.length) yield `\nfailing:\n${failures.map((f) => `  ${f}`).join('\n')}\n`;
  yield `\n${summary.join('\n')}\n`;
}
