// A three-stage WebAssembly composition, SIGKILLed while pipelines are between and
// inside stages, resumes at the stage each invocation reached: a stage whose
// successor had started is never run again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, ensureBuilt } from './modules.js';
import { tempDir } from '../support/runtime.js';

const WORKER = join(ROOT, 'test/wasm/crash-worker.ts');
const COUNT = 6;

interface Run {
  marks: string[];
  lines: string[];
  killed: boolean;
  code: number | null;
}

function run(db: string, killAt?: (line: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, db, String(COUNT)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const result: Run = { marks: [], lines: [], killed: false, code: null };
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (result.killed) continue;
        result.lines.push(line);
        if (line.startsWith('mark ')) result.marks.push(line.slice(5));
        if (killAt?.(line)) {
          result.killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(guard);
      result.code = code;
      if (!result.killed && code !== 0) reject(new Error(`worker exited ${code}: ${stderr}`));
      else resolve(result);
    });
  });
}

test('a composition killed with SIGKILL between stages resumes without re-running finished stages', { timeout: 300_000 }, async (t) => {
  await ensureBuilt();
  const tmp = tempDir();
  t.after(tmp.cleanup);
  // Kill once some pipeline has started its third stage (so its first two are journaled) while others are mid-way.
  const first = await run(tmp.db, (line) => line.startsWith('mark c '));
  assert.ok(first.killed, 'the first run was killed');
  const second = await run(tmp.db);
  assert.ok(second.lines.includes('ALL DONE'), second.lines.join('\n'));

  const results = JSON.parse(second.lines.find((l) => l.startsWith('result '))!.slice(7)) as unknown[];
  assert.deepEqual(results, Array.from({ length: COUNT }, (_, i) => ({ id: `loan-${i}`, a: true, b: true, c: true })));

  const started = (marks: string[], stage: string, id: string): boolean => marks.includes(`${stage} ${id}`);
  let resumedMidway = 0;
  for (let i = 0; i < COUNT; i++) {
    const id = `loan-${i}`;
    for (const [stage, next] of [['a', 'b'], ['b', 'c']] as const) {
      if (started(first.marks, next, id)) {
        assert.ok(!started(second.marks, stage, id), `${id}: stage ${stage} ran again after the restart although stage ${next} had started`);
        resumedMidway++;
      }
    }
    // Every stage ran at least once in all, in order.
    for (const stage of ['a', 'b', 'c']) assert.ok(started(first.marks, stage, id) || started(second.marks, stage, id), `${id}: stage ${stage} never ran`);
  }
  assert.ok(resumedMidway > 0, 'some pipeline was resumed past its first stage');
  console.log(`crash: killed after ${first.marks.length} stage starts; ${resumedMidway} finished stages skipped on resume; ${second.marks.length} stage starts after restart`);
});
