// Runs every *.test.ts under src/ and test/ with node's test runner (TypeScript via tsx).
// Usage: npm test [-- <path filter>]
// Every test gets a default timeout (LOOM_TEST_TIMEOUT_MS, default 300000; a test may set
// its own), a file that leaks a handle fails and exits (scripts/test-exit.mjs), and the whole
// run is stopped after LOOM_TEST_RUN_TIMEOUT_MS (default 45 min): the suite cannot hang.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ['src', 'test'].flatMap((d) => collect(d, []))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const testTimeout = Number(process.env.LOOM_TEST_TIMEOUT_MS ?? 300_000);
const runTimeout = Number(process.env.LOOM_TEST_RUN_TIMEOUT_MS ?? 45 * 60_000);
const reporter = process.env.LOOM_TEST_REPORTER === 'spec' ? 'spec' : './scripts/test-reporter.mjs';
console.log(`${files.length} test file(s), per-test timeout ${testTimeout} ms`);
const child = spawn(process.execPath, [
  '--import', 'tsx', '--import', './scripts/test-exit.mjs', '--test', '--test-concurrency=2', `--test-timeout=${testTimeout}`,
  `--test-reporter=${reporter}`, ...files,
], { stdio: 'inherit' });
const watchdog = setTimeout(() => {
  console.error(`\nthe test run took longer than ${runTimeout} ms: stopping it`);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
}, runTimeout);
watchdog.unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
