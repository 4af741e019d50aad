import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intOption } from '../program.js';
import { storeOptions, withClient, type StoreFlags } from '../ops/client.js';
import { actorRef, jsonFlag } from '../ops/output.js';
import { LoomError } from '../../core/errors.js';
import { dataOptions, printData, type DataFlags } from './state-data.js';

/** `loom state get|set|edit Type/id`: read and change actor state, checked against its version. */
export function stateCommand(program: Command): void {
  const state = program.command('state').description("read or change an actor's state (every change is checked against the version read)");

  dataOptions(storeOptions(state.command('get').description('print the state and its version, or a key, the keys, the logs or a page of a log').argument('<actor>', 'Type/id')))
    .addHelpText('after', [
      '\nExamples:',
      '  loom state get Account/acc-1',
      '  loom state get Agent/a1 --key profile          one key of this.kv',
      '  loom state get Agent/a1 --keys                 the keys (--after k --limit n to page)',
      '  loom state get Agent/a1 --logs                 the logs with their kept range',
      '  loom state get Agent/a1 --log messages --last 20',
      '  loom state get Agent/a1 --log messages --from 100 --limit 50',
    ].join('\n'))
    .action(async (ref: string, flags: StoreFlags & DataFlags) => {
      const [type, id] = actorRef(ref);
      await withClient(flags, async (client) => {
        if (await printData(client, type, id, flags)) return;
        const s = await client.getState(type, id);
        console.log(JSON.stringify({ actorType: type, actorId: id, version: s.version, state: s.state ?? null }, null, 2));
      });
    });

  storeOptions(state.command('set').description('replace the state; refused if the actor committed since --version').argument('<actor>', 'Type/id').argument('<json>', 'the new state, a JSON object'))
    .requiredOption('--version <n>', 'the version read with loom state get', intOption('--version'))
    .addHelpText('after', `\nExample:\n  loom state set Account/acc-1 '{"balance": 100}' --version 7`)
    .action(async (ref: string, json: string, flags: StoreFlags & { version: number }) => {
      const [type, id] = actorRef(ref);
      const value = jsonFlag('<json>', json, `'{"balance": 100}'`);
      await withClient(flags, async (client) => {
        const s = await client.editState(type, id, value, flags.version);
        console.log(`${type}/${id} is at version ${s.version}`);
      });
    });

  storeOptions(state.command('edit').description('edit the state in $EDITOR; saved only if the actor did not commit meanwhile').argument('<actor>', 'Type/id'))
    .addHelpText('after', '\nExample:\n  EDITOR=vim loom state edit Account/acc-1')
    .action(async (ref: string, flags: StoreFlags) => {
      const [type, id] = actorRef(ref);
      const editor = process.env.VISUAL ?? process.env.EDITOR;
      if (!editor) throw new LoomError('LOOM_CLI', 'set $EDITOR (or $VISUAL) to edit, or use loom state set with --version');
      await withClient(flags, async (client) => {
        const before = await client.getState(type, id);
        const dir = mkdtempSync(join(tmpdir(), 'loom-state-'));
        try {
          const file = join(dir, `${type}-${id}.json`.replace(/[^\w.-]/g, '_'));
          writeFileSync(file, `${JSON.stringify(before.state ?? {}, null, 2)}\n`);
          const run = spawnSync(editor, [file], { stdio: 'inherit', shell: true });
          if (run.status !== 0) throw new LoomError('LOOM_CLI', `the editor exited with ${String(run.status)}; nothing changed`);
          const value = jsonFlag('the edited file', readFileSync(file, 'utf8'), '{ "balance": 100 }');
          const s = await client.editState(type, id, value, before.version);
          console.log(`${type}/${id} is at version ${s.version}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
}
