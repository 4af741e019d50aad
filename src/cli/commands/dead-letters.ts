import type { Command } from 'commander';
import { intOption } from '../program.js';
import { runBulkCommand, type BulkFlags } from '../ops/bulk.js';
import { storeOptions, withClient, type StoreFlags } from '../ops/client.js';
import { filterOptions, hasFilter, toFilter, type FilterFlags } from '../ops/filters.js';
import { outputOption, print, type OutputFormat } from '../ops/output.js';
import { invocationColumns } from '../ops/views.js';
import { LoomError } from '../../core/errors.js';

/** `loom dead-letters list|redrive`: messages that exhausted their retries. */
export function deadLettersCommand(program: Command): void {
  const dl = program.command('dead-letters').description('invocations that exhausted their retries');

  storeOptions(dl.command('list').description('dead letters, newest first'))
    .option('--type <actorType>', 'only this actor type')
    .option('--limit <n>', 'rows at most', intOption('--limit'), 50)
    .addOption(outputOption())
    .addHelpText('after', '\nExample:\n  loom dead-letters list --type PaymentProcessor -o json')
    .action(async (flags: StoreFlags & { type?: string; limit: number; output: OutputFormat }) => {
      await withClient(flags, async (client) => {
        const items = await client.listDeadLetters({ limit: flags.limit, ...(flags.type ? { actorType: flags.type } : {}) });
        print(flags.output, items, invocationColumns(await client.store.now()));
      });
    });

  const redrive = dl.command('redrive').description('put dead letters back with a fresh retry budget (journal kept)').argument('[ids...]', 'invocation ids; or --all / filter flags');
  storeOptions(filterOptions(redrive))
    .option('--all', 'every dead letter (with the filter flags, every matching one)')
    .option('--dry-run', 'only count')
    .option('--yes', 'act on every match')
    .addHelpText('after', '\nExamples:\n  loom dead-letters redrive 0b6f…\n  loom dead-letters redrive --all --type PaymentProcessor --dry-run\n  loom dead-letters redrive --all --error-code PSP_DOWN --yes')
    .action(async (ids: string[], flags: StoreFlags & FilterFlags & BulkFlags & { all?: boolean }) => {
      if (ids.length > 0 && (flags.all || hasFilter(flags))) throw new LoomError('LOOM_CLI', 'give invocation ids or --all/filter flags, not both');
      if (ids.length === 0 && !flags.all && !hasFilter(flags)) throw new LoomError('LOOM_CLI', 'redrive what? give invocation ids, or --all (optionally with filter flags) and --yes');
      await withClient(flags, async (client) => {
        if (ids.length === 0) return void (await runBulkCommand(client, 'redrive', toFilter(flags, await client.store.now()), flags, (l) => console.log(l)));
        for (const id of ids) {
          await client.redrive(id);
          console.log(`redriven: ${id}`);
        }
      });
    });
}
