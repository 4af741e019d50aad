import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActorRuntime, type ActorRuntimeOptions } from '../../src/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { MemoryStore } from '../../src/adapters/memory/index.js';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';

/** A started runtime on a fresh in-memory store, with quiet logs and fast polling. */
export async function memoryRuntime(options: ActorRuntimeOptions = {}): Promise<ActorRuntime> {
  const rt = new ActorRuntime({ store: new MemoryStore(), logger: silentLogger, pollIntervalMs: 20, ...options });
  return rt;
}

/** A temp folder for SQLite files, removed by the returned cleanup. */
export function tempDir(): { dir: string; db: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'loom-test-'));
  return { dir, db: join(dir, 'loom.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A runtime on a SQLite file. */
export function sqliteRuntime(path: string, options: ActorRuntimeOptions = {}): ActorRuntime {
  return new ActorRuntime({ store: new SqliteStore({ path }), logger: silentLogger, pollIntervalMs: 20, ...options });
}

/** Fast retries for tests. */
export const fastRetry = { maxAttempts: 3, backoff: 'fixed' as const, initialDelayMs: 5 };
