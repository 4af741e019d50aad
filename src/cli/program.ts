import { Command, InvalidArgumentError } from 'commander';
import { LoomError } from '../core/errors.js';

/** An error in how the CLI was called: exit code 2. */
export function cliError(message: string): LoomError {
  return new LoomError('LOOM_CLI', message);
}

/** A commander option parser for a non-negative integer, naming the flag on bad input. */
export function intOption(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} takes a whole number, got "${value}"`);
    return n;
  };
}

/** The `loom` program with no commands yet; each command file adds its own. */
export function createProgram(): Command {
  return new Command('loom')
    .description('Durable, exactly-once actors: run workers and operate the store')
    .showHelpAfterError('(run loom <command> --help for usage and an example)')
    .exitOverride();
}
