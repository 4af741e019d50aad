import type { Command } from 'commander';
import { withClient } from '../ops/client.js';
import { messageOf, messageOptions } from './call.js';

/** `loom send Type/id method --args '[...]'`: enqueues and prints the invocation id. */
export function sendCommand(program: Command): void {
  messageOptions(program.command('send').description('enqueue a message for the workers and print its invocation id'))
    .option('--delay <duration>', 'run no earlier than this from now, e.g. 30s, 5m')
    .addHelpText('after', `\nExample:\n  loom send Shipping/o-1 ship --args '["o-1"]' --delay 5m`)
    .action(async (ref: string, method: string, flags: Parameters<typeof messageOf>[2]) => {
      await withClient(flags, async (client) => {
        const r = await client.send(messageOf(ref, method, flags));
        console.log(r.duplicate ? `${r.invocationId} (duplicate key: the earlier invocation)` : r.invocationId);
      });
    });
}
