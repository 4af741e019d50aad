import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { TraceEvent, TraceSink } from '../../ports/trace.js';

/**
 * Writes trace events as JSON lines to a stream (default stdout) or a file
 * (appended). A stream that cannot keep up makes writes wait, so the buffer in
 * front drops events rather than the stream growing without bound.
 */
export class JsonLinesSink implements TraceSink {
  readonly name = 'json-lines';
  private readonly out: Writable;
  private readonly owned: boolean;

  constructor(target: Writable | string = process.stdout) {
    this.owned = typeof target === 'string';
    this.out = typeof target === 'string' ? createWriteStream(target, { flags: 'a' }) : target;
  }

  write(events: readonly TraceEvent[]): Promise<void> {
    let text = '';
    for (const e of events) text += JSON.stringify(e) + '\n';
    return new Promise((resolve, reject) => {
      this.out.write(text, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    await new Promise<void>((resolve) => this.out.end(resolve));
  }
}
