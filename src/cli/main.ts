#!/usr/bin/env node
import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { workerCommand } from './commands/worker.js';
import { inspectCommand } from './commands/inspect.js';
import { studioCommand } from './commands/studio.js';

// One line per command; each command lives in ./commands/<name>.ts.
const program = createProgram();
workerCommand(program);
inspectCommand(program);
studioCommand(program);

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (err: Error & { code?: string; exitCode?: number }) => {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2); // commander printed the message
    console.error(`loom: ${err.message}`);
    process.exit(err.code === 'LOOM_CLI' ? 2 : 1);
  },
);
