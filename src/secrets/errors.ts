import { LoomError } from '../core/errors.js';

/**
 * A secret could not be resolved and no value young enough was cached: the
 * provider is unreachable or refused, or the secret does not exist. The
 * attempt that needed it fails and is retried under its retry policy.
 */
export class SecretUnavailableError extends LoomError {
  /** Always true: a later attempt may find the provider back. */
  readonly retryable = true;
  /** The reference that could not be resolved (never the value). */
  readonly reference: string;
  constructor(reference: string, message: string, options?: { cause?: unknown }) {
    super('LOOM_SECRET_UNAVAILABLE', message, options);
    this.reference = reference;
  }
}
