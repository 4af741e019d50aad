// Preloaded into every test file's process by scripts/test.mjs. Once the file's
// tests are done, a process still kept alive by a leaked handle (a runtime, client
// or timer left open) is ended after a grace period, with a message naming the file,
// and fails: the run goes on instead of hanging.
import { after } from 'node:test';

if (process.env.NODE_TEST_CONTEXT) {
  after(() => {
    const file = process.argv[1];
    const t = setTimeout(() => {
      process.stderr.write(`\n${file}: its tests finished 10 s ago but it left handles open (a runtime, client or timer not stopped); exiting\n`);
      process.exit(1);
    }, 10_000);
    t.unref();
  });
}
