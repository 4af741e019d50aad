// A private RabbitMQ node for the broker-restart tests: its own node name,
// ports, data, logs, config and Erlang cookie in a temp dir, so that killing and
// restarting it never touches the shared broker on 5672 (nor its logs: the
// Debian wrapper /usr/sbin/rabbitmq-server switches to the rabbitmq user and
// writes /var/log/rabbitmq/startup_log, so the node is started from the script
// it wraps, /usr/lib/rabbitmq/bin/rabbitmq-server).
//
// The node runs in the foreground in a process group of its own (spawn with
// `detached`): `kill()` SIGKILLs the whole group, which is a hard crash of the
// broker (no clean shutdown, quorum queues recover from their WAL on start).
// Its port helpers (erl_child_setup, inet_gethost, the disk monitor shell) make
// their own sessions and exit when the VM is gone; `kill()` checks for leftovers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { freePort } from './net.js';
export { freePort };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The script that runs a node in the foreground (override with LOOM_TEST_RABBITMQ_SERVER). */
export const RABBITMQ_SERVER = process.env.LOOM_TEST_RABBITMQ_SERVER ?? '/usr/lib/rabbitmq/bin/rabbitmq-server';


/** True if something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const live = new Set<PrivateRabbitMQ>();
process.on('exit', () => {
  // The test died before destroy(): no node outlives this process, no data dir is left behind.
  for (const node of live) {
    node.killNow();
    rmSync(node.dir, { recursive: true, force: true });
  }
});

/** One private RabbitMQ node; `start()` / `kill()` / `start()` reuse its port and data dir. */
export class PrivateRabbitMQ {
  readonly dir = mkdtempSync(join(tmpdir(), 'loom-rmq-'));
  readonly nodename = `loomtest-${randomBytes(4).toString('hex')}@localhost`;
  private proc: ChildProcess | undefined;
  private output = '';
  private exited: Promise<void> = Promise.resolve();
  /** How many times the node was started. */
  starts = 0;

  private constructor(
    readonly port: number,
    readonly distPort: number,
  ) {
    const home = join(this.dir, 'home');
    mkdirSync(home);
    // A cookie of its own: nothing needs to talk to it over Erlang distribution but its own VM.
    writeFileSync(join(home, '.erlang.cookie'), randomBytes(16).toString('hex'), { mode: 0o400 });
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n'); // no management plugin: no port 15672 clash
    writeFileSync(join(this.dir, 'rabbitmq-env.conf'), ''); // not /etc/rabbitmq/rabbitmq-env.conf (NODENAME=rabbit@localhost)
    writeFileSync(join(this.dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\n`);
  }

  /** Why a private node cannot run here, or undefined. */
  static unavailable(): string | undefined {
    try {
      accessSync(RABBITMQ_SERVER, constants.X_OK);
    } catch {
      return `${RABBITMQ_SERVER} is not an executable (install the rabbitmq-server package, or set LOOM_TEST_RABBITMQ_SERVER to its foreground start script)`;
    }
    const erl = spawnSync('sh', ['-c', 'command -v erl'], { encoding: 'utf8' });
    if (erl.status !== 0) return 'erl (Erlang) is not on PATH';
    return undefined;
  }

  /** Creates the node and waits until it completes an AMQP handshake. */
  static async start(timeoutMs = 30_000): Promise<PrivateRabbitMQ> {
    const node = new PrivateRabbitMQ(await freePort(), await freePort());
    try {
      await node.start(timeoutMs);
    } catch (err) {
      await node.destroy();
      throw err;
    }
    return node;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private env(): NodeJS.ProcessEnv {
    const d = this.dir;
    return {
      ...process.env,
      HOME: join(d, 'home'),
      RABBITMQ_NODENAME: this.nodename,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: join(d, 'mnesia'),
      RABBITMQ_MNESIA_DIR: join(d, 'mnesia', 'node'),
      RABBITMQ_LOG_BASE: join(d, 'log'),
      RABBITMQ_PID_FILE: join(d, 'rabbitmq.pid'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(d, 'enabled_plugins'),
      RABBITMQ_PLUGINS_EXPAND_DIR: join(d, 'plugins-expand'),
      RABBITMQ_FEATURE_FLAGS_FILE: join(d, 'feature_flags'),
      RABBITMQ_CONFIG_FILE: join(d, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(d, 'advanced.config'),
      RABBITMQ_CONF_ENV_FILE: join(d, 'rabbitmq-env.conf'),
    };
  }

  /** Starts the node (first time, or again on the same port and data) and waits for an AMQP handshake. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error(`private RabbitMQ ${this.nodename} is already running`);
    if (await listening(this.port)) throw new Error(`port ${this.port} of private RabbitMQ ${this.nodename} is taken by another process`);
    const proc = spawn(RABBITMQ_SERVER, [], { cwd: this.dir, env: this.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.starts++;
    live.add(this);
    const keep = (chunk: string) => (this.output = (this.output + chunk).slice(-20_000));
    proc.stdout!.setEncoding('utf8').on('data', keep);
    proc.stderr!.setEncoding('utf8').on('data', keep);
    this.exited = new Promise((r) => proc.once('close', () => r()));
    const end = Date.now() + timeoutMs;
    let lastError = '';
    for (;;) {
      if (!this.running) throw new Error(`private RabbitMQ ${this.nodename} exited while starting (code ${proc.exitCode}, signal ${proc.signalCode}):\n${this.logTail()}`);
      if (await listening(this.port)) {
        try {
          const conn = await amqp.connect(this.url, { timeout: 2_000 });
          await conn.close();
          return;
        } catch (err) {
          lastError = (err as Error).message;
        }
      }
      if (Date.now() > end) throw new Error(`private RabbitMQ ${this.nodename} accepted no AMQP handshake on ${this.port} within ${timeoutMs} ms (${lastError}):\n${this.logTail()}`);
      await sleep(50);
    }
  }

  /** SIGKILL of the node's whole process group (a crash, not a shutdown); resolves once its port is closed. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (proc) {
      this.killNow();
      await Promise.race([this.exited, sleep(5_000)]);
    }
    this.killStragglers();
    const end = Date.now() + 5_000;
    while (await listening(this.port)) {
      if (Date.now() > end) throw new Error(`private RabbitMQ ${this.nodename} still listens on ${this.port} after SIGKILL`);
      await sleep(20);
    }
  }

  /** Synchronous SIGKILL of the process group (also used on process exit). */
  killNow(): void {
    const pid = this.proc?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Kills any live process whose command line names this node's dir (the VM is the one that does). */
  private killStragglers(): void {
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      return; // no procfs: rely on the group kill
    }
    for (const pid of pids) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmd.includes(this.dir)) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (/^\d+ \(.*\) Z/.test(stat)) continue; // a zombie waiting for its parent: already dead
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }

  /** The last lines the node printed and the tail of its log file. */
  logTail(): string {
    let file = '';
    try {
      file = readFileSync(join(this.dir, 'log', `${this.nodename}.log`), 'utf8').slice(-6_000);
    } catch {
      // no log yet
    }
    return `--- output ---\n${this.output.slice(-4_000)}\n--- ${this.nodename}.log ---\n${file}`;
  }

  /** Kills the node and removes its dir. */
  async destroy(): Promise<void> {
    await this.kill().catch(() => {});
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
