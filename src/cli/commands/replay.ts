import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { Actor } from '../../core/actor.js';
import type { ActorClass } from '../../core/registry.js';
import { replayJournals } from '../../testing/simulation/replay.js';
import { cliError } from '../program.js';

/** `loom replay <dir> --actors <module>`: the replay gate for CI. */
export function replayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay recorded journals (*.json) against the current actor code, with no side effect; exits 1 on the first divergence of any')
    .argument('<dir>', 'a folder of recordings, as printed by `loom invocations show <id> -o json`')
    .requiredOption('--actors <module>', 'a module that exports the actor classes (named exports, or a default array)')
    .addHelpText('after', '\nExample:\n  loom replay ./recordings --actors ./dist/actors.js')
    .action(async (dir: string, opts: { actors: string }) => {
      const actors = await loadActors(opts.actors);
      const results = await replayJournals(dir, actors);
      let diverged = 0;
      for (const r of results) {
        if (r.ok) console.log(`ok        ${r.file}  ${r.replayed} entries`);
        else {
          diverged++;
          console.log(`DIVERGED  ${r.message}`);
        }
      }
      console.log(`${results.length} recordings, ${diverged} diverged`);
      if (diverged) process.exitCode = 1;
    });
}

async function loadActors(path: string): Promise<ActorClass[]> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  const values = Array.isArray(mod.default) ? (mod.default as unknown[]) : Object.values(mod);
  const actors = values.filter((v): v is ActorClass => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Actor);
  if (!actors.length) throw cliError(`${path} exports no actor classes: export them by name, or as a default array`);
  return actors;
}
