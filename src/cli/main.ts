#!/usr/bin/env node
import { runWorker } from './worker.js';
import { runInspect } from './inspect.js';
import { LoomError } from '../core/errors.js';

const USAGE = `usage:
  loom worker <module> [--grace <ms>] [--quiet]   run a worker from a module that default-exports an ActorRuntime
  loom inspect <module> dead-letters [--limit N]   list dead letters
  loom inspect <module> invocation <id>            show one invocation
  loom inspect <module> state <actorType> <actorId> show an actor's committed state
  loom inspect <module> partitions                 show partition leases`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flag = (name: string, fallback: string): string => {
    const i = rest.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = rest[i + 1];
    rest.splice(i, 2);
    if (v === undefined) throw new LoomError('LOOM_CLI', `--${name} needs a value\n${USAGE}`);
    return v;
  };
  const has = (name: string): boolean => {
    const i = rest.indexOf(`--${name}`);
    if (i >= 0) rest.splice(i, 1);
    return i >= 0;
  };
  switch (command) {
    case 'worker': {
      const graceMs = Number(flag('grace', '10000'));
      const quiet = has('quiet');
      const module = rest[0];
      if (!module || !Number.isFinite(graceMs)) throw new LoomError('LOOM_CLI', USAGE);
      await runWorker({ module, graceMs, quiet }, (l) => console.log(l));
      return -1; // keeps running until a signal
    }
    case 'inspect': {
      const limit = Number(flag('limit', '20'));
      const [module, what, ...args] = rest;
      if (!module || !what) throw new LoomError('LOOM_CLI', USAGE);
      await runInspect(module, what, args, limit, (l) => console.log(l));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      throw new LoomError('LOOM_CLI', `unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: Error & { code?: string }) => {
    console.error(`loom: ${err.message}`);
    process.exit(err.code === 'LOOM_CLI' ? 2 : 1);
  },
);
