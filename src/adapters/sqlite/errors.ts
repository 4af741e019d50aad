import { InvalidMessageError, StoreError, outcomeUnknown, type LoomError } from '../../core/errors.js';

/** The SQLite result code of a driver error (`SQLITE_BUSY`, `SQLITE_READONLY_DIRECTORY`, …), if it has one. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * Codes that a write's content causes (a constraint, a value too big or of the
 * wrong kind): the transaction rolled back, and the same write would fail again,
 * while other writes succeed. Every other code concerns the whole store.
 */
const CONTENT = ['SQLITE_CONSTRAINT', 'SQLITE_TOOBIG', 'SQLITE_MISMATCH', 'SQLITE_RANGE'];

/**
 * The error of a failed transaction, which SQLite rolled back whole: a refusal
 * of the content (the core then retries the batch's items in smaller batches to
 * find the one at fault), or a StoreError for the store as a whole.
 */
export function transactionError(path: string, what: string, cause: unknown, open: boolean): LoomError {
  if (cause instanceof StoreError) return cause;
  const code = sqliteCode(cause);
  const message = (cause as Error)?.message ?? String(cause);
  // The driver throws TypeError or RangeError for a value it cannot bind (while the connection is open).
  const content = code ? CONTENT.some((c) => code.startsWith(c)) : open && (cause instanceof TypeError || cause instanceof RangeError);
  if (content) return new InvalidMessageError(`the SQLite store at ${path} refused ${what}: ${message}. Nothing of it was stored.`);
  // An I/O error (a failed fsync among them) may strike after the commit record reached the disk.
  if (code?.startsWith('SQLITE_IOERR')) return outcomeUnknown(`SQLite ${what} at ${path} hit an I/O error (${code}: ${message}); it may or may not have been written`, cause);
  if (code?.startsWith('SQLITE_READONLY')) {
    return new StoreError(
      `SQLite ${what} failed at ${path}: the file is read-only (${code}). This does not pass by itself: make the file and its folder writable ` +
        `by this process (SQLite writes -wal and -shm files beside it) and restart the worker. Nothing of this write was stored.`,
      { cause },
    );
  }
  return new StoreError(`SQLite ${what} failed at ${path}: ${message}`, { cause });
}
