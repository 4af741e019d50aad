import { LoomError } from '../core/errors.js';

/** No invocation, promise or actor with that id is in the store. Code `LOOM_NOT_FOUND`. */
export class NotFoundError extends LoomError {
  constructor(message: string) {
    super('LOOM_NOT_FOUND', message);
  }
}

/**
 * The action is not allowed in the invocation's current status (cancel a
 * completed invocation, purge a pending one). Nothing was changed. Code `LOOM_ACTION_NOT_ALLOWED`.
 */
export class ActionNotAllowedError extends LoomError {
  constructor(
    message: string,
    /** The status the invocation had when the action was refused. */
    readonly status?: string,
  ) {
    super('LOOM_ACTION_NOT_ALLOWED', message);
  }
}

/**
 * A state edit was rejected: the actor committed since its state was read.
 * Read it again (its `version`) and retry. Code `LOOM_STALE_STATE`.
 */
export class StaleStateError extends LoomError {
  constructor(
    message: string,
    /** The version the store holds now. */
    readonly currentVersion: number,
  ) {
    super('LOOM_STALE_STATE', message);
  }
}

/** A query's filter or paging is malformed. Code `LOOM_INVALID_FILTER`. */
export class InvalidFilterError extends LoomError {
  constructor(message: string) {
    super('LOOM_INVALID_FILTER', message);
  }
}

/** The store has no admin capability (`store.admin`). Code `LOOM_NO_ADMIN`. */
export class AdminUnsupportedError extends LoomError {
  constructor(message: string) {
    super('LOOM_NO_ADMIN', message);
  }
}
