import { statSync } from 'node:fs';
import { StoreError } from '../../core/errors.js';

/** How often the file is looked at besides before each write, ms. */
const INTERVAL_MS = 2000;

/**
 * Notices that the database file was deleted or replaced under an open store.
 * SQLite keeps writing into the file it opened, even once no path leads to it:
 * every write would be acknowledged and then gone when the process ends. The
 * path's device and inode are compared with the opened file's, before each
 * write and on a timer (one stat call each).
 */
export class FileWatch {
  private dev = 0;
  private ino = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set once the file is gone: the error every operation of the store throws from then on. */
  lost: StoreError | undefined;

  constructor(
    private readonly path: string,
    private readonly onLost: (err: StoreError) => void,
  ) {}

  /** Remembers the file just opened and starts looking at it. */
  start(): void {
    const st = statSync(this.path);
    this.dev = st.dev;
    this.ino = st.ino;
    this.lost = undefined;
    this.timer = setInterval(() => this.check(), INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The store's loss, once the path no longer leads to the opened file; undefined while it does. */
  check(): StoreError | undefined {
    if (this.lost || !this.timer) return this.lost;
    let why: string | undefined;
    try {
      const st = statSync(this.path);
      if (st.dev !== this.dev || st.ino !== this.ino) why = 'was replaced by another file';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') why = 'was deleted';
    }
    if (why === undefined) return undefined;
    this.lost = new StoreError(
      `the SQLite store file ${this.path} ${why} while this worker had it open. Writes from now on would go into the deleted file and ` +
        `be lost when the worker stops, so the store takes none: calls, sends and commits fail and nothing more is acknowledged. ` +
        `Restore the file (from a backup) and restart the worker; restarting without it starts an empty store, without the work accepted before.`,
    );
    this.stop();
    this.onLost(this.lost);
    return this.lost;
  }
}
