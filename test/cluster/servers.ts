// Private Redis and PostgreSQL servers for the backend-restart tests: each on
// a free port with its data in a temp dir, so that restarting one never
// touches the shared services (5432, 6379, 5672).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './harness.js';
import { freePort } from '../support/net.js';
export { freePort };


const servers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
});

/** A redis-server with AOF on every write (appendfsync always), restartable on the same dir and port. */
export class PrivateRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'loom-cluster-redis-'));
  private proc: ChildProcess | undefined;
  log = '';

  private constructor(readonly port: number) {}

  /** Why a private redis-server cannot run here, or undefined. */
  static unavailable(): string | undefined {
    const v = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    return v.status === 0 ? undefined : `redis-server is not on PATH (${v.error?.message ?? v.stderr})`;
  }

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always',
      '--save', '', '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--protected-mode', 'no'];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    servers.add(proc);
    proc.on('close', () => servers.delete(proc));
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => (this.log = (this.log + c).slice(-20_000)));
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => (this.log = (this.log + c).slice(-20_000)));
    this.proc = proc;
    const end = Date.now() + 15_000;
    for (;;) {
      const ping = spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' });
      if (ping.stdout.trim() === 'PONG') return;
      if (proc.exitCode !== null || Date.now() > end) throw new Error(`private redis-server on ${this.port} did not start:\n${this.log}`);
      await sleep(50);
    }
  }

  /** SIGTERM (Redis fsyncs its AOF and exits), and wait until it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('close', () => r()));
    proc.kill(signal);
    await gone;
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Private PostgreSQL clusters still running: stopped on exit whatever happens (pg_ctl daemonizes them). */
const clusters = new Set<PrivatePostgres>();
process.on('exit', () => {
  for (const c of clusters) c.destroy();
});

const PG_BIN = ['/usr/local/bin', '/usr/lib/postgresql/15/bin'].find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));

/** A PostgreSQL cluster made by initdb in a temp dir, run by pg_ctl (as the `postgres` user when this process is root). */
export class PrivatePostgres {
  readonly dir: string;
  readonly data: string;
  log = '';

  private constructor(
    readonly port: number,
    private readonly asUser: string | undefined,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'loom-cluster-pg-'));
    this.data = join(this.dir, 'data');
  }

  /** Why a private cluster cannot run here, or undefined. */
  static unavailable(): string | undefined {
    if (!PG_BIN) return 'no initdb/pg_ctl in /usr/local/bin or /usr/lib/postgresql/15/bin';
    if (process.getuid?.() === 0) {
      const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      if (id.status !== 0) return `running as root and there is no "postgres" user to run initdb as (initdb refuses root): ${id.stderr.trim()}`;
    }
    return undefined;
  }

  static async start(): Promise<PrivatePostgres> {
    const root = process.getuid?.() === 0;
    const pg = new PrivatePostgres(await freePort(), root ? 'postgres' : undefined);
    if (root) chownSync(pg.dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
    clusters.add(pg);
    pg.run('initdb', ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    pg.start();
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Runs a PostgreSQL binary (as `postgres` when root); throws with its output on failure. */
  private run(bin: string, args: string[]): string {
    const path = join(PG_BIN!, bin);
    const res = this.asUser
      ? spawnSync('su', [this.asUser, '-s', '/bin/sh', '-c', [path, ...args].map(shellQuote).join(' ')], { encoding: 'utf8' })
      : spawnSync(path, args, { encoding: 'utf8' });
    const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
    this.log = (this.log + output).slice(-20_000);
    if (res.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (exit ${res.status}): ${output}`);
    return output;
  }

  start(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=60 -c fsync=on -c synchronous_commit=on`;
    this.run('pg_ctl', ['-D', this.data, '-o', opts, '-l', join(this.dir, 'server.log'), '-w', '-t', '30', 'start']);
  }

  /** `pg_ctl stop -m immediate`: the postmaster and every backend quit at once, no checkpoint (crash recovery on start). */
  stopImmediate(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  destroy(): void {
    clusters.delete(this);
    try {
      this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
