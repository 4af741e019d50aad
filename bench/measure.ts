// Driving calls with bounded concurrency and turning samples into the result line.
import { performance } from 'node:perf_hooks';

export interface Sample {
  /** Per-call wall time, ms, in call order. */
  latencies: number[];
  wallMs: number;
  /** User + system CPU of this process during the run, ms. */
  cpuMs: number;
}

/**
 * Runs `call(i)` for i in [0, n) with at most `concurrency` in flight, timing each. `settle` runs after the
 * last call, inside the measured time: work the calls left behind (trace events still buffered) is theirs.
 */
export async function drive(n: number, concurrency: number, call: (i: number) => Promise<void>, settle?: () => Promise<void>): Promise<Sample> {
  const latencies = new Array<number>(n).fill(0);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const t0 = performance.now();
      await call(i);
      latencies[i] = performance.now() - t0;
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
  await settle?.();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { latencies, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const mb = (bytes: number): number => round(bytes / 1048576, 1);
export const round = (v: number, digits: number): number => Number(v.toFixed(digits));

/** The measured fields every result line carries. */
export function summarize(s: Sample, n: number): Record<string, number> {
  return {
    wall_s: round(s.wallMs / 1000, 3),
    throughput_per_s: round(n / (s.wallMs / 1000), 1),
    p50_ms: round(percentile(s.latencies, 50), 2),
    p99_ms: round(percentile(s.latencies, 99), 2),
    cpu_ms_per_item: round(s.cpuMs / n, 3),
    rss_mb: mb(process.memoryUsage().rss),
  };
}

/** A wrong result or count: the run is invalid and prints nothing on stdout. */
export class VerificationError extends Error {
  override name = 'VerificationError';
}

/** `message` may be a function: a per-call check then builds no string unless it fails. */
export function check(ok: boolean, message: string | (() => string)): void {
  if (!ok) throw new VerificationError(typeof message === 'string' ? message : message());
}
