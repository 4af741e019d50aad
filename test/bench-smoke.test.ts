// Smoke test of the benchmark runner: each run prints one well-formed JSON line.
// It checks shapes and correctness only, never timing.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function bench(...args: string[]): Promise<Record<string, unknown>> {
  // The Redis and PostgreSQL benches run against the local services, like the rest of the suite.
  const env = {
    ...process.env,
    LOOM_BENCH_REDIS_URL: process.env.LOOM_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    LOOM_BENCH_POSTGRES_URL: process.env.LOOM_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
  const { stdout } = await run(process.execPath, ['dist-bench/bench/run.js', ...args], { timeout: 120_000, env });
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `expected exactly one line on stdout, got:\n${stdout}`);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

function assertLine(line: Record<string, unknown>, backend: string, workload: string, n: number): void {
  assert.equal(line.system, 'loom');
  assert.equal(line.backend, backend);
  assert.equal(line.workload, workload);
  assert.equal(line.n, n);
  for (const key of ['concurrency', 'wall_s', 'throughput_per_s', 'p50_ms', 'p99_ms', 'cpu_ms_per_item', 'rss_mb']) {
    assert.equal(typeof line[key], 'number', `${key} should be a number in ${JSON.stringify(line)}`);
    assert.ok(Number.isFinite(line[key]) && (line[key] as number) >= 0, `${key} should be finite and >= 0`);
  }
  assert.ok((line.throughput_per_s as number) > 0);
  assert.ok((line.p99_ms as number) >= (line.p50_ms as number));
}

describe('bench/run.ts', () => {
  // `npm run bench` runs the bench compiled, under plain node: build it the same way.
  before(async () => {
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bench.json'], { timeout: 120_000 });
  });

  for (const backend of ['memory', 'sqlite', 'redis', 'postgres']) {
    it(`${backend} W1`, async () => {
      const line = await bench('--backend', backend, '--workload', 'W1', '--n', '50');
      assertLine(line, backend, 'W1', 50);
      assert.equal(line.concurrency, 50);
    });
    it(`${backend} W2`, async () => {
      const line = await bench('--backend', backend, '--workload', 'W2', '--n', '200', '--concurrency', '10');
      assertLine(line, backend, 'W2', 200);
      assert.equal(line.concurrency, 10);
    });
    it(`${backend} W3`, async () => {
      const line = await bench('--backend', backend, '--workload', 'W3', '--n', '20');
      assertLine(line, backend, 'W3', 20);
      assert.equal(line.concurrency, 1);
    });
  }

  it('memory MEM', async () => {
    const line = await bench('--backend', 'memory', '--workload', 'MEM', '--n', '2000');
    assertLine(line, 'memory', 'MEM', 2000);
    for (const key of ['bytes_per_idle_actor', 'rss_start_mb', 'rss_end_mb']) assert.equal(typeof line[key], 'number', key);
    assert.ok((line.active_end as number) <= 1000);
  });

  it('memory JL prints total ms and µs per step for each length', async () => {
    const line = await bench('--backend', 'memory', '--workload', 'JL', '--lengths', '10,30', '--warmup', '0');
    assert.equal(line.workload, 'JL');
    assert.equal(line.n, 40);
    for (const key of ['ms_10', 'us_per_step_10', 'cpu_us_per_step_10', 'ms_30', 'us_per_step_30', 'cpu_us_per_step_30']) {
      assert.equal(typeof line[key], 'number', `${key} in ${JSON.stringify(line)}`);
    }
  });

  it('sqlite STATE prints ms per call for each state size', async () => {
    const line = await bench('--backend', 'sqlite', '--workload', 'STATE', '--sizes', '10,100', '--n', '5');
    assert.equal(line.workload, 'STATE');
    for (const key of ['state_ms_10', 'state_ms_100', 'state_cpu_ms_10', 'state_cpu_ms_100', 'kv_ms_10', 'kv_ms_100', 'log_ms_10', 'log_ms_100']) assert.equal(typeof line[key], 'number', `${key} in ${JSON.stringify(line)}`);
  });

  it('rejects an unknown workload with exit code 1 and nothing on stdout', async () => {
    await assert.rejects(bench('--backend', 'memory', '--workload', 'NOPE'), (err: { code?: number; stdout?: string }) => {
      assert.equal(err.code, 1);
      assert.equal(err.stdout, '');
      return true;
    });
  });
});
