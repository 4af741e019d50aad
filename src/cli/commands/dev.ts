import type { Command } from 'commander';
import { runDev } from '../dev.js';

/** `loom dev <module>`: a worker on the embedded store, for development; other loom commands operate it. */
export function devCommand(program: Command): void {
  program
    .command('dev')
    .description('run a worker module on the embedded SQLite store (no services); operate it from another terminal with loom invocations …')
    .argument('<module>', 'the worker module, e.g. ./dist/worker.js')
    .addHelpText('after', '\nExample:\n  loom dev ./dist/worker.js\n  # in another terminal:\n  loom invocations list --store ./.loom/loom.db')
    .action(async (module: string) => {
      await runDev(module, (l) => console.log(l));
      return new Promise<never>(() => {});
    });
}
