import { startStudio } from '../studio/server.js';
import { openStoreUrl, storeUrl } from './ops/store-url.js';
import { loadRuntime } from './load.js';
import type { StudioCliOptions } from './commands/studio.js';
import type { DevExtension } from './dev.js';

/** Opens the store (or the worker module's runtime), serves Studio, and stops cleanly on SIGTERM/SIGINT. */
export async function runStudio(opts: StudioCliOptions, out: (line: string) => void): Promise<void> {
  const token = opts.token ?? (process.env.LOOM_STUDIO_TOKEN || undefined);
  const common = { host: opts.host, port: opts.port, audit: opts.audit, partitions: opts.partitions, ...(token ? { token } : {}) };
  const studio = opts.module
    ? await startStudio({ ...common, runtime: await loadRuntime(opts.module), storeLabel: `the store of ${opts.module}` })
    : await startStudio({ ...common, store: await openStoreUrl(storeUrl(opts.store)), storeLabel: redactUrl(storeUrl(opts.store)) });
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

/**
 * Studio beside `loom dev`'s worker, on the same runtime: http://127.0.0.1:3000 unless
 * LOOM_STUDIO_PORT says otherwise; LOOM_STUDIO=off leaves it out. A port in use is
 * reported and the worker runs on without Studio.
 */
export const studioDevExtension: DevExtension = async ({ runtime, storeUrl, out }) => {
  if (process.env.LOOM_STUDIO === 'off') return;
  const port = Number(process.env.LOOM_STUDIO_PORT ?? 3000);
  try {
    const studio = await startStudio({ runtime, port, storeLabel: storeUrl ?? runtime.store.constructor.name });
    out(`Loom Studio at ${studio.url}`);
    return () => studio.close();
  } catch (err) {
    out(`loom dev: Studio not started: ${(err as Error).message} (set LOOM_STUDIO_PORT, or LOOM_STUDIO=off)`);
    return;
  }
};

/** A store URL without its password, for display. */
function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@/]*@/, '$1***@');
}
