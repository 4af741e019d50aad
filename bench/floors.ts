// Hardware floors on this machine, one JSON line each (system "floor"):
//   fdatasync_8k   — write 8 kB at offset 0 of a temp file, fdatasync, repeat.
//   sqlite_insert  — better-sqlite3, WAL, synchronous=FULL, one single-row INSERT per commit.
//   node --import tsx bench/floors.ts [--seconds 3]
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { percentile, round } from './measure.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);

/** Repeats `op` for `seconds` and prints its rate and latency. */
function measure(workload: string, op: (i: number) => void): void {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const t0 = performance.now();
    op(i);
    latencies.push(performance.now() - t0);
  }
  const wallMs = performance.now() - start;
  const n = latencies.length;
  const line = {
    system: 'floor',
    backend: workload === 'fdatasync_8k' ? 'fs' : 'sqlite',
    workload,
    n,
    concurrency: 1,
    wall_s: round(wallMs / 1000, 3),
    throughput_per_s: round(n / (wallMs / 1000), 1),
    p50_ms: round(percentile(latencies, 50), 3),
    p99_ms: round(percentile(latencies, 99), 3),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'loom-floor-'));
try {
  const fd = openSync(join(dir, 'fsync.bin'), 'w');
  const page = Buffer.alloc(8192, 7);
  measure('fdatasync_8k', () => {
    writeSync(fd, page, 0, page.length, 0);
    fdatasyncSync(fd);
  });
  closeSync(fd);

  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  measure('sqlite_insert', (i) => insert.run(i, 'x'.repeat(100)));
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
