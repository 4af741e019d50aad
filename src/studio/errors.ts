import { LoomError } from '../core/errors.js';

/** A Studio API request was malformed: HTTP 400, with what to fix. */
export class StudioInputError extends LoomError {
  constructor(message: string) {
    super('LOOM_STUDIO_BAD_REQUEST', message);
  }
}

/** No token, or the wrong one, on a Studio bound beyond loopback: HTTP 401. */
export class StudioAuthError extends LoomError {
  constructor(message: string) {
    super('LOOM_STUDIO_UNAUTHORIZED', message);
  }
}

/** The thing a request names does not exist: HTTP 404. */
export class StudioNotFoundError extends LoomError {
  constructor(message: string) {
    super('LOOM_STUDIO_NOT_FOUND', message);
  }
}

/** A request value that must be a non-empty string, refused by name otherwise. */
export function requireString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new StudioInputError(`${what} must be a non-empty string`);
  return v;
}
