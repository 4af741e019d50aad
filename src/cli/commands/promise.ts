import type { Command } from 'commander';
import { storeOptions, withClient, type StoreFlags } from '../ops/client.js';
import { jsonFlag } from '../ops/output.js';

/** `loom promise resolve|reject <id>`: settle a durable promise a handler awaits. */
export function promiseCommand(program: Command): void {
  const promise = program.command('promise').description('resolve or reject a durable promise a handler awaits (this.promise(name))');

  storeOptions(promise.command('resolve').description('resolve it with a JSON value').argument('<id>', 'the promise id, promise:<invocation>#<name>'))
    .option('--value <json>', 'the value, as JSON', 'null')
    .addHelpText('after', `\nExample:\n  loom promise resolve 'promise:0b6f…#approval' --value '{"ok": true}'`)
    .action(async (id: string, flags: StoreFlags & { value: string }) => {
      const value = jsonFlag('--value', flags.value, `'{"ok": true}'`);
      await withClient(flags, async (client) => console.log((await client.resolvePromise(id, value)) ? `resolved ${id}` : `${id} was already settled; nothing changed`));
    });

  storeOptions(promise.command('reject').description('reject it: the awaiting handler sees the error thrown').argument('<id>', 'the promise id'))
    .requiredOption('--reason <text>', 'the error message the handler sees')
    .addHelpText('after', `\nExample:\n  loom promise reject 'promise:0b6f…#approval' --reason 'refused by finance'`)
    .action(async (id: string, flags: StoreFlags & { reason: string }) => {
      await withClient(flags, async (client) => console.log((await client.rejectPromise(id, new Error(flags.reason))) ? `rejected ${id}` : `${id} was already settled; nothing changed`));
    });
}
