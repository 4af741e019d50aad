import type { Command } from 'commander';
import { runWorker } from '../worker.js';
import { cliError, intOption } from '../program.js';

/** `loom worker <module>`: runs a worker until SIGTERM/SIGINT. */
export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker from a module that default-exports an ActorRuntime (or a function returning one)')
    .argument('<module>', 'the worker module, e.g. ./worker.js')
    .option('--grace <ms>', 'on SIGTERM, how long running handlers may take to finish', intOption('--grace'), 10_000)
    .option('--quiet', 'do not print partition changes')
    .option('--metrics-port <port>', 'serve /health, /ready and Prometheus /metrics on this port', intOption('--metrics-port'))
    .addHelpText('after', '\nExample:\n  loom worker ./dist/worker.js --grace 15000 --metrics-port 9090')
    .action(async (module: string, opts: { grace: number; quiet?: boolean; metricsPort?: number }) => {
      if (!module) throw cliError('loom worker needs a module path');
      await runWorker({ module, graceMs: opts.grace, quiet: opts.quiet === true, metricsPort: opts.metricsPort }, (l) => console.log(l));
      return new Promise<never>(() => {}); // keeps running until a signal
    });
}
