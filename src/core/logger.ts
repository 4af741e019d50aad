/** Where the runtime writes its diagnostics. Defaults to console warnings and errors only. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (m) => console.warn(`[loom] ${m}`),
  error: (m) => console.error(`[loom] ${m}`),
};

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
