import type { Logger } from '../core/logger.js';
import { redact } from '../core/redact.js';

/** Wraps a logger so that no known secret value reaches it. */
export function redactingLogger(log: Logger): Logger {
  if ((log as { [REDACTING]?: true })[REDACTING]) return log;
  const wrapped: Logger & { [REDACTING]?: true } = {
    debug: (m, fields) => log.debug(redact(m), fields),
    info: (m, fields) => log.info(redact(m), fields),
    warn: (m, fields) => log.warn(redact(m), fields),
    error: (m, fields) => log.error(redact(m), fields),
  };
  wrapped[REDACTING] = true;
  return wrapped;
}

const REDACTING = Symbol('loom.redacting');
