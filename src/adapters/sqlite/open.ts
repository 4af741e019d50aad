import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../core/errors.js';
import { MIGRATIONS } from './schema.js';
import { sqliteCode } from './errors.js';

/** What opening the store needs. */
export interface OpenOptions {
  path: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs: number;
}

/**
 * Opens (creating if need be) and migrates the database file, then proves it
 * can be written: a read-only file opens and reads fine, and would otherwise
 * fail every write later as if the store were down. Each way it can fail says
 * what the path really is.
 */
export function openDatabase(o: OpenOptions): Database.Database {
  const memory = o.path === ':memory:';
  if (!memory) prepareFolder(o.path);
  let db: Database.Database | undefined;
  try {
    db = new Database(o.path, { timeout: o.busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${o.synchronous}`);
    db.pragma('foreign_keys = OFF');
    migrate(db);
    if (!memory) probeWrite(db);
    return db;
  } catch (cause) {
    db?.close();
    throw openError(o.path, cause);
  }
}

function prepareFolder(path: string): void {
  const found = statOrUndefined(path);
  if (found?.isDirectory()) {
    throw new StoreError(`could not open the SQLite store at ${path}: it is a directory, not a file. Give the store a file path, e.g. ${path.replace(/\/+$/, '')}/loom.db`);
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of its folder path is a file, not a folder' : `its folder ${dirname(path)} cannot be created (${(cause as Error).message})`;
    throw new StoreError(`could not open the SQLite store at ${path}: ${why}. Point the store at a path in a folder this process may create and write.`, { cause });
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS loom_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  db.transaction(() => {
    const done = new Set((db.prepare('SELECT version FROM loom_migrations').all() as { version: number }[]).map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO loom_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    }
  }).immediate();
}

/** Thrown to roll the probe back: it only needs to learn whether a write is allowed. */
const ROLLBACK = Symbol('rollback');

/** A real page write, rolled back: SQLite refuses it on a read-only file (or folder), where opening and reading succeed. */
function probeWrite(db: Database.Database): void {
  try {
    db.transaction(() => {
      db.prepare(`UPDATE loom_migrations SET applied_at = applied_at WHERE version = (SELECT max(version) FROM loom_migrations)`).run();
      throw ROLLBACK;
    }).immediate();
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
}

function openError(path: string, cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  const code = sqliteCode(cause) ?? '';
  const message = (cause as Error)?.message ?? String(cause);
  let why: string;
  if (code === 'SQLITE_NOTADB') why = 'it is not a SQLite database (the file is corrupt or in another format). Move it away, or point the store at another file';
  else if (code.startsWith('SQLITE_CORRUPT')) why = 'the SQLite database in it is corrupt. Restore it from a backup, or move it away to start an empty store';
  else if (code.startsWith('SQLITE_READONLY')) {
    why = `it is read-only (${code}): Loom must write to it. Make the file, and its folder (SQLite writes -wal and -shm files beside it), writable by this process, or point the store at another file`;
  } else if (code.startsWith('SQLITE_CANTOPEN')) why = `it cannot be opened (${message}). Check that the folder exists and this process may read and write in it`;
  else if (code === 'SQLITE_BUSY') why = `another process holds its lock (${message}). Wait for it, or raise busyTimeoutMs`;
  else why = `${message}. Check that the file and its folder are writable`;
  return new StoreError(`could not open the SQLite store at ${path}: ${why}.`, { cause });
}
