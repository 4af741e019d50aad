// The "external system" of the crash test: a payment provider that honours
// idempotency keys. It lives in its own SQLite file, outside Loom's store, so
// what it records is independent evidence of what the actors really did.
import Database from 'better-sqlite3';

export const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS attempts (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  payment INTEGER NOT NULL,
  step INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS applied (
  key TEXT PRIMARY KEY,
  payment INTEGER NOT NULL,
  step INTEGER NOT NULL,
  value INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  at INTEGER NOT NULL
);
`;

/** The worker's own connection to the ledger. */
export class Ledger {
  private readonly db: Database.Database;
  private readonly apply: (key: string, payment: number, step: number, value: number) => void;

  constructor(path: string) {
    this.db = new Database(path, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(LEDGER_SCHEMA);
    const attempt = this.db.prepare('INSERT INTO attempts (key, payment, step, pid, at) VALUES (?, ?, ?, ?, ?)');
    const applied = this.db.prepare('INSERT OR IGNORE INTO applied (key, payment, step, value, pid, at) VALUES (?, ?, ?, ?, ?, ?)');
    this.apply = this.db.transaction((key: string, payment: number, step: number, value: number) => {
      const now = Date.now();
      attempt.run(key, payment, step, process.pid, now);
      applied.run(key, payment, step, value, process.pid, now);
    });
  }

  /** One call to the provider: the attempt is always logged, the effect applied once per key. */
  charge(key: string, payment: number, step: number, value: number): void {
    this.apply(key, payment, step, value);
  }

  close(): void {
    this.db.close();
  }
}
