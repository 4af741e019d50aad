import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of a real service, to cut it off in two ways:
 * `blackhole()` stops forwarding in both directions but keeps every connection
 * open (what a dead network path looks like: no error, no answer; the bytes wait
 * in socket buffers and flow again on `heal()`), `holdReplies()` does so for the
 * server's answers only, and `stop()` closes every connection and refuses new
 * ones (a stopped server) until `restart()`.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();
  private holed = false;
  private repliesHeld = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      client.pipe(upstream);
      upstream.pipe(client);
      if (this.holed) this.hold(pair);
      else if (this.repliesHeld) this.holdReply(pair);
      const end = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
    this.server = server;
    return this.port;
  }

  private hold([a, b]: [Socket, Socket]): void {
    a.unpipe(b);
    b.unpipe(a);
    a.pause();
    b.pause();
  }

  /** Stops forwarding, keeps connections open; new connections hang too. */
  blackhole(): void {
    this.holed = true;
    for (const p of this.pairs) this.hold(p);
  }

  private holdReply([client, upstream]: [Socket, Socket]): void {
    upstream.unpipe(client);
    upstream.pause();
  }

  /**
   * Forwards every request but holds back the answers (what a connection that
   * fails after the server acted looks like), until `heal()` or `stop()`.
   */
  holdReplies(): void {
    this.repliesHeld = true;
    for (const p of this.pairs) this.holdReply(p);
  }

  /** Forwards again what waited and what comes. */
  heal(): void {
    this.holed = false;
    this.repliesHeld = false;
    for (const [a, b] of this.pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pipe(b);
      b.pipe(a);
      a.resume();
      b.resume();
    }
  }

  /** Closes every connection and stops listening. */
  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    await this.start(this.port);
  }
}
