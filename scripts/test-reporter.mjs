// The `npm test` reporter: one progress line per test file as it finishes, each
// failure with its file, test name and error, then the runner's summary.
// LOOM_TEST_REPORTER=spec npm test gives node's spec reporter instead.
import { relative } from 'node:path';

const rel = (f) => (f ? relative(process.cwd(), f) : '(no file)');

export default async function* progress(source) {
  const failures = [];
  const summary = [];
  const stderr = new Map();
  const lastLines = (file) => {
    const text = (stderr.get(rel(file)) ?? []).join('').trim();
    return text ? `\n    stderr: ${text.split('\n').slice(-5).join('\n    ')}` : '';
  };
  const fileLine = (data) => {
    const secs = (data.details.duration_ms / 1000).toFixed(1);
    const err = data.details.error;
    // A file fails by its tests (listed as they arrive) or on its own: exit code, a leaked handle, a crash.
    const why = err && err.failureType !== 'subtestsFailed' ? `  (${err.failureType ?? 'failed'}, exit ${err.exitCode ?? '?'})` : '';
    if (why) failures.push(() => `${rel(data.file)}  the file failed outside its tests${why}${lastLines(data.file)}`);
    return `${data.details.passed ? 'ok  ' : 'FAIL'} ${rel(data.file)}  ${secs}s${why}\n`;
  };
  for await (const { type, data } of source) {
    if (type === 'test:fail' && data.name !== data.file) {
      const err = data.details.error;
      // A suite fails when a test in it failed; report the test, not the suite again.
      if (err?.failureType === 'subtestsFailed') continue;
      const cause = err?.cause instanceof Error ? err.cause : err;
      const text = `${rel(data.file)}  ${data.name}\n    ${String(cause?.stack ?? cause?.message ?? cause).split('\n').slice(0, 12).join('\n    ')}`;
      failures.push(text);
      yield `  FAIL ${text}\n`;
    } else if (type === 'test:complete' && data.nesting === 0 && data.name === data.file) {
      yield fileLine(data);
    } else if (type === 'test:diagnostic' && data.nesting === 0 && data.file === undefined) {
      summary.push(data.message);
    } else if (type === 'test:stderr' || type === 'test:stdout') {
      if (type === 'test:stderr' && data.file) stderr.set(rel(data.file), [...(stderr.get(rel(data.file)) ?? []), data.message].slice(-20));
      if (process.env.LOOM_TEST_OUTPUT) yield data.message;
    }
  }
  if (failures.length) yield `\nfailing:\n${failures.map((f) => `  ${typeof f === 'function' ? f() : f}`).join('\n')}\n`;
  yield `\n${summary.join('\n')}\n`;
}
