import { startStudio } from '../studio/server.js';
import { openStoreUrl, redactUrl } from './store-url.js';
import { loadRuntime } from './load.js';
import type { StudioCliOptions } from './commands/studio.js';

/** Opens the store (or the worker module's runtime), serves Studio, and stops cleanly on SIGTERM/SIGINT. */
export async function runStudio(opts: StudioCliOptions, out: (line: string) => void): Promise<void> {
  const token = opts.token ?? (process.env.LOOM_STUDIO_TOKEN || undefined);
  const common = { host: opts.host, port: opts.port, audit: opts.audit, partitions: opts.partitions, ...(token ? { token } : {}) };
  const studio = opts.module
    ? await startStudio({ ...common, runtime: await loadRuntime(opts.module), storeLabel: `the store of ${opts.module}` })
    : await startStudio({ ...common, store: await openStoreUrl(opts.store, opts), storeLabel: redactUrl(opts.store) });
  out(`Loom Studio at ${studio.url}${token ? ' (token required)' : ''}`);
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    studio.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
