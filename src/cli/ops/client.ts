import type { Command } from 'commander';
import { LoomClient } from '../../admin/client.js';
import { silentLogger } from '../../core/logger.js';
import { intOption } from '../program.js';
import { openStoreUrl, storeUrl } from './store-url.js';

/** Flags every store-facing command takes. */
export interface StoreFlags {
  store?: string;
  partitions: number;
}

/** Adds `--store` and `--partitions` to a command. */
export function storeOptions(cmd: Command): Command {
  return cmd
    .option('--store <url>', 'SQLite file, redis://host:6379[?prefix=loom:] or postgres://user@host/db[?schema=loom] (default: $LOOM_STORE, else ./.loom/loom.db)')
    .option('--partitions <n>', 'partitions of the deployment (must match the workers)', intOption('--partitions'), 64);
}

/** Runs `fn` with a client on the store the flags name (no leases, no actors) and closes it after. */
export async function withClient<T>(flags: StoreFlags, fn: (client: LoomClient) => Promise<T>): Promise<T> {
  const store = await openStoreUrl(storeUrl(flags.store));
  const client = new LoomClient({ store, partitions: flags.partitions, logger: silentLogger });
  try {
    await client.start();
    return await fn(client);
  } finally {
    await client.close().catch(() => {});
  }
}
