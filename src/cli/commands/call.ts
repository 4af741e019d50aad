import type { Command } from 'commander';
import { storeOptions, withClient, type StoreFlags } from '../ops/client.js';
import { actorRef, jsonFlag } from '../ops/output.js';
import type { CallMessage } from '../../runtime/actor-runtime.js';
import { LoomError } from '../../core/errors.js';

interface MessageFlags extends StoreFlags {
  args: string;
  key?: string;
  delay?: string;
}

/** The message the shared flags of `call` and `send` describe. */
export function messageOf(ref: string, method: string, flags: MessageFlags): CallMessage {
  const [actorType, actorId] = actorRef(ref);
  const args = jsonFlag('--args', flags.args, `'["order-1", 25]'`);
  if (!Array.isArray(args)) throw new LoomError('LOOM_CLI', `--args takes a JSON array of the handler's arguments, e.g. '["order-1", 25]'; got ${flags.args}`);
  const msg: CallMessage = { actorType, actorId, method, args };
  if (flags.key) msg.idempotencyKey = flags.key;
  if (flags.delay) msg.delay = flags.delay;
  return msg;
}

/** Adds the message flags to `call` or `send`. */
export function messageOptions(cmd: Command): Command {
  return storeOptions(cmd)
    .argument('<actor>', 'Type/id, e.g. PaymentProcessor/p-1')
    .argument('<method>', 'the handler to run')
    .option('--args <json>', 'the arguments, as a JSON array', '[]')
    .option('--key <idempotencyKey>', 'idempotency key: a repeat returns the first result');
}

/** `loom call Type/id method --args '[...]'`: sends, waits for a worker to finish it, prints the result; exit 1 on failure. */
export function callCommand(program: Command): void {
  messageOptions(program.command('call').description('invoke a handler and wait for its result (exit code 1 when it fails)'))
    .addHelpText('after', `\nExample:\n  loom call PaymentProcessor/p-1 charge --args '[{"amount": 25}]' --key order-123`)
    .action(async (ref: string, method: string, flags: MessageFlags) => {
      await withClient(flags, async (client) => {
        const result = await client.call(messageOf(ref, method, flags));
        console.log(JSON.stringify(result === undefined ? null : result, null, 2));
      });
    });
}
