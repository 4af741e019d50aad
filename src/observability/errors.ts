import { LoomError } from '../core/errors.js';

/** The health/metrics server could not listen: the port is taken (or not allowed). */
export class PortInUseError extends LoomError {
  constructor(
    readonly port: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('LOOM_PORT_IN_USE', message, options);
  }
}
