import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { describeConfig } from '../../config/show.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { cliError } from '../program.js';

/** The config file a command reads: --config, else $LOOM_CONFIG, else ./loom.config.yaml (or .yml, .json). */
function configPath(flag: string | undefined): string {
  const path = flag ?? process.env.LOOM_CONFIG ?? ['loom.config.yaml', 'loom.config.yml', 'loom.config.json'].find((p) => existsSync(p));
  if (!path) throw cliError('no config file: pass --config <file>, set LOOM_CONFIG, or create loom.config.yaml here');
  return path;
}

/** `loom config show|check|schema`. */
export function configCommand(program: Command): void {
  const config = program.command('config').description('check and print the configuration file (loom.config.yaml)');
  config
    .command('show')
    .description('print the effective configuration, key by key, with where each value came from (secrets as references only)')
    .option('--config <file>', 'the config file (default: $LOOM_CONFIG or ./loom.config.yaml)')
    .option('-o, --output <format>', 'table or json', 'table')
    .addHelpText('after', '\nExample:\n  LOOM_RUNTIME_PARTITIONS=16 loom config show --config loom.config.yaml')
    .action(async (opts: { config?: string; output: string }) => {
      const entries = describeConfig(await loadConfig(configPath(opts.config)));
      if (opts.output === 'json') {
        console.log(JSON.stringify(entries, null, 2));
        return;
      }
      if (opts.output !== 'table') throw cliError(`--output takes table or json, got "${opts.output}"`);
      const rows = entries.map((e) => [e.path, JSON.stringify(e.value), e.source]);
      const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length), i === 0 ? 3 : 5));
      console.log(`${'key'.padEnd(widths[0]!)}  ${'value'.padEnd(widths[1]!)}  source`);
      for (const r of rows) console.log(`${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`);
    });
  config
    .command('check')
    .description('validate the configuration file; exits 1 and lists every problem when it is invalid')
    .option('--config <file>', 'the config file (default: $LOOM_CONFIG or ./loom.config.yaml)')
    .action(async (opts: { config?: string }) => {
      const path = configPath(opts.config);
      await loadConfig(path);
      console.log(`${path}: valid`);
    });
  config
    .command('schema')
    .description('print the JSON Schema of the configuration file (also shipped as loom/loom.config.schema.json)')
    .action(() => {
      console.log(JSON.stringify(configJsonSchema(), null, 2));
    });
}
