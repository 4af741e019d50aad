import type { Command } from 'commander';
import { loadRuntime } from '../load.js';
import { cliError } from '../program.js';
import { resolveAdapter } from '../../seed/deferred.js';
import { ScheduleAdmin, type ScheduleInfo } from '../../triggers/schedule/admin.js';

/** `loom schedules <module> [list|pause|resume|delete] [id]`: the durable schedules of a worker module's store. */
export function schedulesCommand(program: Command): void {
  program
    .command('schedules')
    .description('list, pause, resume or delete the schedules in the store behind a worker module')
    .argument('<module>', 'the worker module whose store to use')
    .argument('[action]', 'list (default), pause, resume or delete', 'list')
    .argument('[id]', 'the schedule id, for pause, resume and delete')
    .option('-o, --output <format>', 'table or json', 'table')
    .addHelpText('after', '\nExamples:\n  loom schedules ./worker.js\n  loom schedules ./worker.js pause nightly-report\n  loom schedules ./worker.js list -o json')
    .action(async (module: string, action: string, id: string | undefined, opts: { output: string }) => {
      if (opts.output !== 'table' && opts.output !== 'json') throw cliError(`--output takes table or json, got "${opts.output}"`);
      if (!['list', 'pause', 'resume', 'delete'].includes(action)) throw cliError(`unknown action "${action}": use list, pause, resume or delete`);
      if (action !== 'list' && !id) throw cliError(`loom schedules <module> ${action} <id>`);
      const runtime = await loadRuntime(module);
      // Operating on schedules reads and writes the store only: no leases, no worker.
      const chosen = runtime.options.store ?? runtime.options.stateAdapter;
      const store = chosen ? await resolveAdapter(chosen) : await defaultStore(runtime.options.dbPath);
      await store.init();
      try {
        const port = store.schedules;
        if (!port) throw cliError(`the store ${store.constructor.name} keeps no schedules`);
        const admin = new ScheduleAdmin(async () => port, () => store.now());
        const out = (rows: ScheduleInfo[]) => print(rows, opts.output === 'json');
        if (action === 'list') out(await admin.list());
        else if (action === 'pause') out([await admin.pause(id!)]);
        else if (action === 'resume') out([await admin.resume(id!)]);
        else if (!(await admin.delete(id!))) throw cliError(`there is no schedule "${id}"`);
        else console.log(`deleted ${id}`);
      } finally {
        await store.close();
      }
    });
}

async function defaultStore(path: string | undefined) {
  const { SqliteStore } = await import('../../adapters/sqlite/store.js');
  return new SqliteStore(path ? { path } : {});
}

function print(rows: ScheduleInfo[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log('no schedules');
    return;
  }
  const table = rows.map((r) => [
    r.id,
    'cron' in r.spec.timing ? `cron ${r.spec.timing.cron}${r.spec.timing.timezone ? ` ${r.spec.timing.timezone}` : ''}` : `every ${r.spec.timing.everyMs} ms`,
    `${r.spec.actorType ? `${r.spec.actorType}/` : ''}${r.spec.actorId}${r.spec.method ? `.${r.spec.method}` : ''}`,
    r.paused ? 'paused' : 'active',
    r.spec.catchUp,
    r.lastTick,
    r.paused ? '-' : (r.nextTick ?? '-'),
  ]);
  const head = ['ID', 'WHEN', 'TARGET', 'STATE', 'CATCH-UP', 'LAST TICK', 'NEXT TICK'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  for (const row of [head, ...table]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}
