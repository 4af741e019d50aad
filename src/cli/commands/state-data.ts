import type { Command } from 'commander';
import { intOption } from '../program.js';
import { LoomError } from '../../core/errors.js';
import type { LoomClient } from '../../admin/client.js';

/** The flags of `loom state get` that read per-key state and logs instead of `this.state`. */
export interface DataFlags {
  key?: string;
  keys?: boolean;
  logs?: boolean;
  log?: string;
  after?: string;
  from?: number;
  limit?: number;
  last?: number;
}

export function dataOptions(cmd: Command): Command {
  return cmd
    .option('--key <key>', 'print one key of the actor\'s per-key state (this.kv)')
    .option('--keys', 'list the actor\'s keys')
    .option('--logs', 'list the actor\'s logs (this.log) with their kept range')
    .option('--log <name>', 'print a page of a log')
    .option('--after <name>', 'with --keys or --logs: start after this name')
    .option('--from <index>', 'with --log: the first index to print (default: the oldest kept)', intOption('--from'))
    .option('--last <n>', 'with --log: print the newest n entries', intOption('--last'))
    .option('--limit <n>', 'how many to print (keys and logs: default 100; log entries: default 50; at most 1000)', intOption('--limit'));
}

/** Prints what the data flags ask for; false when none was given (the state is printed instead). */
export async function printData(client: LoomClient, type: string, id: string, f: DataFlags): Promise<boolean> {
  const chosen = [f.key !== undefined, f.keys === true, f.logs === true, f.log !== undefined].filter(Boolean).length;
  if (chosen === 0) return false;
  if (chosen > 1) throw new LoomError('LOOM_CLI', 'give one of --key, --keys, --logs and --log');
  const page = (limit?: number) => ({ ...(f.after !== undefined ? { after: f.after } : {}), ...(limit !== undefined ? { limit } : {}) });
  let out: unknown;
  if (f.key !== undefined) out = await client.getKey(type, id, f.key);
  else if (f.keys) out = { actorType: type, actorId: id, keys: await client.listKeys(type, id, page(f.limit)) };
  else if (f.logs) out = { actorType: type, actorId: id, logs: await client.listLogs(type, id, page(f.limit)) };
  else {
    const q: { from?: number; limit?: number; last?: number } = {};
    if (f.from !== undefined) q.from = f.from;
    if (f.limit !== undefined) q.limit = f.limit;
    if (f.last !== undefined) q.last = f.last;
    out = await client.readLog(type, id, f.log!, q);
  }
  console.log(JSON.stringify(out, null, 2));
  return true;
}
