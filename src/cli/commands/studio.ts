import type { Command } from 'commander';
import { cliError, intOption } from '../program.js';
import { runStudio, studioDevExtension } from '../studio.js';
import { addDevExtension } from '../dev.js';
import { storeOptions } from '../ops/client.js';

/** `loom studio --store <url>`: serves Loom Studio over a store until SIGTERM/SIGINT. */
export function studioCommand(program: Command): void {
  addDevExtension(studioDevExtension); // `loom dev` serves Studio beside its worker
  const cmd = program
    .command('studio')
    .description('serve Loom Studio, the web UI, over a store (default http://127.0.0.1:3000)')
    .option('--module <path>', 'a worker module: Studio lists its actor types and their settings')
    .option('--host <host>', 'interface to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--port <n>', 'port', intOption('--port'), 3000)
    .option('--token <token>', 'required on every API call (or LOOM_STUDIO_TOKEN); at least 16 characters')
    .option('--audit <file>', 'JSON-lines audit log of actions', './.loom/studio-audit.jsonl')
    .addHelpText('after', '\nExamples:\n  loom studio\n  loom studio --store postgres://localhost/app?schema=loom --port 3001\n  LOOM_STUDIO_TOKEN=$(openssl rand -hex 16) loom studio --store redis://redis:6379 --host 0.0.0.0');
  storeOptions(cmd)
    .action(async (opts: StudioCliOptions) => {
      if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && !opts.token && !process.env.LOOM_STUDIO_TOKEN) {
        throw cliError(`--host ${opts.host} makes Studio reachable from other machines: pass --token <at least 16 characters> (or set LOOM_STUDIO_TOKEN)`);
      }
      await runStudio(opts, (l) => console.log(l));
      return new Promise<never>(() => {}); // serves until a signal
    });
}

export interface StudioCliOptions {
  store?: string;
  module?: string;
  host: string;
  port: number;
  token?: string;
  audit: string;
  partitions: number;
}
