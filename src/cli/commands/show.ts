import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { intOption } from '../program.js';
import { storeOptions, withClient, type StoreFlags } from '../ops/client.js';
import { outputOption, type OutputFormat } from '../ops/output.js';
import { detailLines } from '../ops/views.js';
import { describeWaiting } from '../../admin/describe.js';

/** `loom show <id> [--follow]`: an invocation, and with --follow every change until it ends. */
export function showCommand(program: Command): void {
  storeOptions(program.command('show').description('show an invocation; --follow prints each change until it finishes').argument('<id>', 'invocation id'))
    .option('-f, --follow', 'keep watching until it finishes')
    .option('--interval <ms>', 'how often --follow reads the store', intOption('--interval'), 500)
    .addOption(outputOption())
    .addHelpText('after', '\nExample:\n  loom show 0b6f… --follow')
    .action(async (id: string, flags: StoreFlags & { follow?: boolean; interval: number; output: OutputFormat }) => {
      await withClient(flags, async (client) => {
        let d = await client.getInvocation(id);
        const now = await client.store.now();
        if (flags.output === 'table') for (const l of detailLines(d, now)) console.log(l);
        else console.log(JSON.stringify(d, null, flags.output === 'json' ? 2 : 0));
        let last = JSON.stringify([d.status, d.waiting, d.record.attempt, d.journal.length]);
        while (flags.follow && d.record.status === 'pending') {
          await sleep(flags.interval);
          d = await client.getInvocation(id);
          const key = JSON.stringify([d.status, d.waiting, d.record.attempt, d.journal.length]);
          if (key === last) continue;
          last = key;
          const t = await client.store.now();
          if (flags.output !== 'table') console.log(JSON.stringify(d));
          else console.log(`${new Date(t).toISOString()}  ${d.status}${d.waiting ? ` — ${describeWaiting(d.waiting, t)}` : ''}  attempt ${d.record.attempt}, ${d.journal.length} journal entries`);
        }
        if (flags.follow && flags.output === 'table') {
          const r = d.record;
          console.log(r.status === 'completed' ? `completed: ${r.resultJson ?? ''}` : `${d.status}: ${r.error?.code ?? ''} ${r.error?.message ?? ''}`);
        }
      });
    });
}
