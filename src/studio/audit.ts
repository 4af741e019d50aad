import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One action taken through Studio. Names what was done to what, never a payload. */
export interface AuditEntry {
  at: string;
  action: string;
  target: string;
  /** The remote address the request came from. */
  from: string;
  outcome: 'ok' | 'refused' | 'failed';
  detail?: string;
}

/** Where audit entries go: a JSON-lines file path, or a function. */
export type AuditSink = string | ((entry: AuditEntry) => void | Promise<void>);

/** Writes audit entries in order; a failing sink is reported once on stderr and never fails the action. */
export class AuditLog {
  private chain: Promise<void> = Promise.resolve();
  private warned = false;

  constructor(private readonly sink: AuditSink) {}

  record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const full: AuditEntry = { at: new Date().toISOString(), ...entry };
    this.chain = this.chain.then(() => this.write(full)).catch((err: unknown) => {
      if (!this.warned) console.error(`loom studio: cannot write the audit log (${String(err)})`);
      this.warned = true;
    });
    return this.chain;
  }

  private async write(entry: AuditEntry): Promise<void> {
    if (typeof this.sink === 'function') return void (await this.sink(entry));
    await mkdir(dirname(this.sink), { recursive: true });
    await appendFile(this.sink, `${JSON.stringify(entry)}\n`);
  }
}
