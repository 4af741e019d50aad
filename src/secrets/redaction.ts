import type { Logger } from '../core/logger.js';
import { redact } from '../core/redact.js';

/** Wraps a logger so that no known secret value reaches it. */
export function redactingLogger(log: Logger): Logger {
  if ((log as { [REDACTING]?: true })[REDACTING]) return log;
  const wrapped: Logger & { [REDACTING]?: true } = {
    debug: (m) => log.debug(redact(m)),
    info: (m) => log.info(redact(m)),
    warn: (m) => log.warn(redact(m)),
    error: (m) => log.error(redact(m)),
  };
  wrapped[REDACTING] = true;
  return wrapped;
}

const REDACTING = Symbol('loom.redacting');
