#!/usr/bin/env node
import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { workerCommand } from './commands/worker.js';
import { inspectCommand } from './commands/inspect.js';
import { schedulesCommand } from './commands/schedules.js';
import { replayCommand } from './commands/replay.js';
import { configCommand } from './commands/config.js';
import { studioCommand } from './commands/studio.js';
import { devCommand } from './commands/dev.js';
import { callCommand } from './commands/call.js';
import { sendCommand } from './commands/send.js';
import { invocationsCommand } from './commands/invocations.js';
import { showCommand } from './commands/show.js';
import { stateCommand } from './commands/state.js';
import { promiseCommand } from './commands/promise.js';
import { deadLettersCommand } from './commands/dead-letters.js';

// One line per command; each command lives in ./commands/<name>.ts.
const program = createProgram();
workerCommand(program);
inspectCommand(program);
schedulesCommand(program);
replayCommand(program);
configCommand(program);
studioCommand(program);
devCommand(program);
callCommand(program);
sendCommand(program);
invocationsCommand(program);
showCommand(program);
stateCommand(program);
promiseCommand(program);
deadLettersCommand(program);

program.parseAsync(process.argv).then(
  () => process.exit(Number(process.exitCode ?? 0)),
  (err: Error & { code?: string; exitCode?: number }) => {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2); // commander printed the message
    console.error(`loom: ${err.message}`);
    process.exit(err.code === 'LOOM_CLI' ? 2 : 1);
  },
);
