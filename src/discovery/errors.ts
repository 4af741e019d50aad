import { LoomError } from '../core/errors.js';

/** No live registration offers the capability a call asked for. */
export class NoProviderError extends LoomError {
  constructor(
    message: string,
    readonly capability: string,
  ) {
    super('LOOM_NO_PROVIDER', message);
  }
}
