import type { Command } from 'commander';
import { LoomError } from '../../core/errors.js';
import { intOption } from '../program.js';
import { runBulkCommand, type BulkFlags } from '../ops/bulk.js';
import { storeOptions, withClient, type StoreFlags } from '../ops/client.js';
import { filterOptions, hasFilter, toFilter, type FilterFlags } from '../ops/filters.js';
import { outputOption, print, type OutputFormat } from '../ops/output.js';
import { detailLines, invocationColumns } from '../ops/views.js';
import type { LoomClient } from '../../admin/client.js';
import type { BulkAction } from '../../admin/types.js';

type ActionFlags = BulkFlags & { wakeSleep?: boolean };

type ListFlags = StoreFlags & FilterFlags & { limit: number; cursor?: string; oldest?: boolean; output: OutputFormat };

/** `loom invocations list|show|cancel|retry|restart|purge`: find, explain and fix invocations. */
export function invocationsCommand(program: Command): void {
  const inv = program.command('invocations').alias('inv').description('find, explain and fix invocations');

  const list = inv.command('list').description('list invocations, newest first, with why each unfinished one waits');
  storeOptions(filterOptions(list))
    .option('--limit <n>', 'rows per page (1-1000)', intOption('--limit'), 50)
    .option('--cursor <cursor>', 'the next page, as printed after the previous one')
    .option('--oldest', 'oldest first')
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  loom invocations list --status pending --waiting backing-off\n  loom invocations list --type PaymentProcessor --since 1h -o jsonl')
    .action(async (flags: ListFlags) => {
      await withClient(flags, async (client) => {
        const now = await client.store.now();
        const page = await client.listInvocations({ filter: toFilter(flags, now), limit: flags.limit, order: flags.oldest ? 'oldest' : 'newest', ...(flags.cursor ? { cursor: flags.cursor } : {}) });
        print(flags.output, page.items, invocationColumns(now));
        if (page.nextCursor && flags.output === 'table') console.log(`\nmore: --cursor ${page.nextCursor}`);
      });
    });

  const show = inv.command('show').description('one invocation: its status, why it waits, and its journal').argument('<id>', 'invocation id');
  storeOptions(show)
    .addOption(outputOption())
    .addHelpText('after', '\nExample:\n  loom invocations show 0b6f…')
    .action(async (id: string, flags: StoreFlags & { output: OutputFormat }) => {
      await withClient(flags, async (client) => {
        const d = await client.getInvocation(id);
        if (flags.output === 'table') for (const l of detailLines(d, await client.store.now())) console.log(l);
        else console.log(JSON.stringify(d, null, flags.output === 'json' ? 2 : 0));
      });
    });

  action(inv, 'cancel', 'cancel', 'end pending invocations as cancelled (a running one stops at its next durable operation); the caller sees LOOM_CANCELLED', (c, id, f) => c.cancel(id, f.reason))
    .option('--reason <text>', 'the message the caller sees', 'cancelled by an operator');
  action(inv, 'retry', 'retry', 'run backing-off (or delayed) invocations now instead of at their next try', (c, id, f) => c.retryNow(id, { wakeSleep: f.wakeSleep === true }))
    .option('--wake-sleep', 'with ids: also end a durable sleep early');
  action(inv, 'purge', 'purge', 'delete finished invocations now, before their TTL', async (c, id) => void (await c.purge(id)));

  const restart = inv.command('restart').description('a new invocation of the same message whose journal is the first <step> entries of this one').argument('<id>', 'invocation id');
  storeOptions(restart)
    .requiredOption('--from-step <k>', 'journal entries to keep (0: start over)', intOption('--from-step'))
    .addHelpText('after', '\nExample:\n  loom invocations restart 0b6f… --from-step 2')
    .action(async (id: string, flags: StoreFlags & { fromStep: number }) => {
      await withClient(flags, async (client) => {
        const v = await client.restart(id, flags.fromStep);
        console.log(`restarted as ${v.record.id} (journal entries 0..${flags.fromStep - 1} copied)`);
      });
    });
}

/** A command that acts on the ids given, or in bulk on a filter (count first, --yes to run). */
function action(parent: Command, name: string, bulk: BulkAction, description: string, one: (c: LoomClient, id: string, flags: ActionFlags) => Promise<unknown>): Command {
  const cmd = parent.command(name).description(description).argument('[ids...]', 'invocation ids; or none, with filter flags, to act on every match');
  return storeOptions(filterOptions(cmd))
    .option('--dry-run', 'only count what matches')
    .option('--yes', 'act on every match of the filter')
    .addHelpText('after', `\nExamples:\n  loom invocations ${name} 0b6f…\n  loom invocations ${name} --type PaymentProcessor --status pending --dry-run\n  loom invocations ${name} --type PaymentProcessor --status pending --yes`)
    .action(async (ids: string[], flags: StoreFlags & FilterFlags & ActionFlags) => {
      if (ids.length > 0 && hasFilter(flags)) throw new LoomError('LOOM_CLI', `give invocation ids or filter flags to ${name}, not both`);
      if (ids.length === 0 && !hasFilter(flags)) throw new LoomError('LOOM_CLI', `${name} what? give invocation ids, or filter flags (e.g. --type T --status pending) and --yes`);
      await withClient(flags, async (client) => {
        if (ids.length === 0) return void (await runBulkCommand(client, bulk, toFilter(flags, await client.store.now()), flags, (l) => console.log(l)));
        for (const id of ids) {
          await one(client, id, flags);
          console.log(`${name}: ${id}`);
        }
      });
    });
}
