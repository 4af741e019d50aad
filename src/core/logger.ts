/** Structured fields of a log line: ids (invocationId, actorType, actorId, partition) and the error. */
export type LogFields = Record<string, unknown>;

/**
 * Where the runtime writes its diagnostics. Defaults to console warnings and errors only.
 * Any object with these four methods works. A structured logger (one with a `child`
 * method, as pino and bunyan have) is called pino-style, `warn(fields, msg)`, with the
 * ids as fields; any other logger gets the message string alone (it names the ids too).
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (m) => console.warn(`[loom] ${m}`),
  error: (m) => console.error(`[loom] ${m}`),
};

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The runtime's own logger over the user's: `(msg, fields)` becomes `(fields, msg)`
 * for a structured logger (it has `child`), and `(msg)` for any other.
 */
export function toRuntimeLogger(user: Logger): Logger {
  const structured = typeof (user as { child?: unknown }).child === 'function';
  const out = {} as Logger;
  for (const level of LEVELS) {
    const fn = (user[level] as (...a: unknown[]) => void).bind(user);
    out[level] = structured ? (msg, fields) => (fields ? fn(fields, msg) : fn(msg)) : (msg) => fn(msg);
  }
  return out;
}
