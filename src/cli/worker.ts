import { loadRuntime } from './load.js';

export interface WorkerFlags {
  module: string;
  graceMs: number;
  quiet: boolean;
  /** Serve /health, /ready and /metrics on this port. */
  metricsPort?: number | undefined;
}

/**
 * `loom worker <module>`: runs a worker until SIGTERM/SIGINT. The first signal
 * stops taking work, lets running handlers finish within the grace period and
 * releases the partition leases (others take them at once); a second signal
 * exits immediately (leases then expire after their TTL).
 */
export async function runWorker(flags: WorkerFlags, out: (line: string) => void): Promise<void> {
  const runtime = await loadRuntime(flags.module);
  // Before start(): a port in use fails the worker before it takes any lease.
  const health = flags.metricsPort === undefined ? undefined : await (await import('../observability/index.js')).createHealthServer({ port: flags.metricsPort, runtime });
  await runtime.start();
  if (health) out(`health and metrics on ${health.url} (/health, /ready, /metrics)`);
  out(`loom worker ${process.pid} started (${flags.module})`);
  let last = '';
  const report = setInterval(() => {
    const now = runtime.partitions.join(',');
    if (now !== last && !flags.quiet) out(`partitions: ${runtime.partitions.length} [${compact(runtime.partitions)}]`);
    last = now;
  }, 1000);
  report.unref();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      out(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    clearInterval(report);
    out(`${signal}: finishing in-flight work (grace ${flags.graceMs} ms), releasing leases`);
    runtime
      .stop(flags.graceMs)
      .then(() => health?.close())
      .then(() => {
        out('stopped cleanly');
        process.exit(0);
      })
      .catch((err: Error) => {
        out(`stop failed: ${err.message}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function compact(ps: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ps.length; i++) {
    let j = i;
    while (j + 1 < ps.length && ps[j + 1] === ps[j]! + 1) j++;
    parts.push(i === j ? `${ps[i]}` : `${ps[i]}-${ps[j]}`);
    i = j;
  }
  return parts.join(',');
}
