import type { Command } from 'commander';
import { runInspect } from '../inspect.js';
import { intOption } from '../program.js';

/** `loom inspect <module> <what>`: read-only views of the store behind a worker module. */
export function inspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('read the store behind a worker module: dead-letters | invocation <id> | state <type> <id> | partitions')
    .argument('<module>', 'the worker module whose store to read')
    .argument('<what>', 'dead-letters, invocation, state or partitions')
    .argument('[args...]', 'the invocation id, or the actor type and id')
    .option('--limit <n>', 'rows at most', intOption('--limit'), 20)
    .addHelpText('after', '\nExamples:\n  loom inspect ./worker.js dead-letters --limit 5\n  loom inspect ./worker.js state Account acc-1')
    .action(async (module: string, what: string, args: string[], opts: { limit: number }) => {
      await runInspect(module, what, args, opts.limit, (l) => console.log(l));
    });
}
