import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorRuntime, type ActorRuntimeOptions } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { after } from 'node:test';

/**
 * Every runtime the helpers below made: the file's last hook stops those a test
 * left running (it failed before its own stop()), so a failed assertion never
 * leaves a worker keeping the test process alive. stop() is idempotent.
 */
const made = new Set<ActorRuntime>();
after(async () => {
  await Promise.allSettled([...made].map((rt) => rt.stop(100)));
});
const tracked = (rt: ActorRuntime): ActorRuntime => (made.add(rt), rt);

/** A started runtime on a fresh in-memory store, with quiet logs and fast polling. */
export async function memoryRuntime(options: ActorRuntimeOptions = {}): Promise<ActorRuntime> {
  return tracked(new ActorRuntime({ store: new MemoryStore(), logger: silentLogger, pollIntervalMs: 20, ...options }));
}

/** A temp folder for SQLite files, removed by the returned cleanup. */
export function tempDir(): { dir: string; db: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'loom-test-'));
  return { dir, db: join(dir, 'loom.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A runtime on a SQLite file. */
export function sqliteRuntime(path: string, options: ActorRuntimeOptions = {}): ActorRuntime {
  return tracked(new ActorRuntime({ store: new SqliteStore({ path }), logger: silentLogger, pollIntervalMs: 20, ...options }));
}

/** Fast retries for tests. */
export const fastRetry = { maxAttempts: 3, backoff: 'fixed' as const, initialDelayMs: 5 };
