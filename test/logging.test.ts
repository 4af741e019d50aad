// What the runtime logs: a structured (pino-style) logger gets ids as fields, a
// plain one gets strings, and a clean stop with work still running says nothing alarming.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Actor, ActorRuntime } from '../src/index.js';
import { MemoryStore } from '../src/adapters/memory/index.js';
import { sqliteRuntime, tempDir } from './support/runtime.js';

class Echo extends Actor {
  async ping() { return 'pong'; }
  async slow() {
    await this.step('wait', () => new Promise((r) => setTimeout(r, 300)));
    return 'done';
  }
}

/** The shape of pino's logger: `child`, and `warn(fields, msg)` or `warn(msg)`. */
function pinoLike() {
  const lines: { level: string; fields?: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (a: unknown, b?: unknown) =>
    void lines.push(typeof a === 'string' ? { level, msg: a } : { level, fields: a as Record<string, unknown>, msg: String(b) });
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

describe('logging', () => {
  it('calls a structured logger pino-style, with the invocation ids as fields', { timeout: 30_000 }, async (t) => {
    const log = pinoLike();
    const rt = new ActorRuntime({ store: new MemoryStore(), logger: log, onAttempt: () => { throw new Error('observer down'); } });
    t.after(() => rt.stop());
    rt.register(Echo);
    assert.equal(await rt.call({ actorType: 'Echo', actorId: 'e1', method: 'ping' }), 'pong');
    const line = log.lines.find((l) => /onAttempt observer threw/.test(l.msg));
    assert.ok(line, JSON.stringify(log.lines));
    assert.equal(line.level, 'warn');
    assert.equal(line.fields?.actorType, 'Echo');
    assert.equal(line.fields?.actorId, 'e1');
    assert.match(String(line.fields?.invocationId), /^[0-9a-f-]{36}$/);
    assert.equal((line.fields?.err as Error).message, 'observer down');
  });

  it('gives a plain logger one string per line', { timeout: 30_000 }, async (t) => {
    const lines: unknown[][] = [];
    const at = (...a: unknown[]) => void lines.push(a);
    const rt = new ActorRuntime({ store: new MemoryStore(), logger: { debug: at, info: at, warn: at, error: at }, onAttempt: () => { throw new Error('observer down'); } });
    t.after(() => rt.stop());
    rt.register(Echo);
    await rt.call({ actorType: 'Echo', actorId: 'e1', method: 'ping' });
    assert.ok(lines.length > 0);
    for (const l of lines) assert.ok(l.length === 1 && typeof l[0] === 'string', JSON.stringify(l));
  });

  it('logs no error when stop(100) on SQLite ends while a handler still runs', { timeout: 30_000 }, async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const log = pinoLike();
    const rt = sqliteRuntime(dir.db, { logger: log });
    rt.register(Echo);
    await rt.start();
    const call = rt.call({ actorType: 'Echo', actorId: 'e2', method: 'slow' }).catch((e: Error) => e);
    // Wait until the handler runs: its actor is active.
    while (rt.activeActors === 0) await new Promise((r) => setTimeout(r, 2));
    await rt.stop(100);
    assert.match(String(((await call) as Error).message), /stopped before invocation/);
    // The handler ends after the store closed: wait for the engine to see it end, then look at what was said.
    while (!log.lines.some((l) => /ended after stop/.test(l.msg))) await new Promise((r) => setTimeout(r, 10));
    assert.equal(log.lines.find((l) => /ended after stop/.test(l.msg))?.level, 'debug');
    const alarming = log.lines.filter((l) => l.level === 'error' || /not open/.test(l.msg));
    assert.deepEqual(alarming, []);
    assert.ok(log.lines.some((l) => l.level === 'warn' && /still running; they resume on the next owner/.test(l.msg)));
  });
});
