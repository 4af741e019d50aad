import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Agent, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './runtime.js';

/** A self-signed certificate for *.vault.azure.net, made with openssl in a temp folder. */
export function vaultCertificate(): { key: string; cert: string } {
  const tmp = tempDir();
  try {
    const key = join(tmp.dir, 'key.pem');
    const cert = join(tmp.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=*.vault.azure.net', '-addext', 'subjectAltName=DNS:*.vault.azure.net'], { stdio: 'ignore' });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    tmp.cleanup();
  }
}

/** What the server does with the next requests for a secret name, in order; then it answers normally. */
export type Scripted = { status: 429; retryAfter: number } | { status: 500 | 503 } | { status: 403 };

/**
 * A local HTTPS server speaking the Key Vault secrets REST protocol the SDK uses:
 * `GET /secrets/{name}[/{version}]?api-version=…`, a 401 Bearer challenge for a
 * request without the expected token, 404 `SecretNotFound`, and scripted 429
 * (with Retry-After), 403 and 5xx answers.
 */
export class KeyVaultServer {
  readonly token = 'test-access-token';
  readonly secrets = new Map<string, { version: string; value: string }[]>();
  readonly script = new Map<string, Scripted[]>();
  /** Every request: method, path, whether it carried the token, and when. */
  readonly requests: { path: string; authorized: boolean; at: number; status: number }[] = [];
  /** Answer every request with 500 (an outage). */
  down = false;
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly tls: { key: string; cert: string }) {}

  async start(): Promise<void> {
    this.server = createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The URL of a vault name: the real Key Vault host name, on this server's port. */
  url(vault: string): string {
    return `https://${vault}.vault.azure.net:${this.port}`;
  }

  /** An agent that trusts the test certificate and resolves every *.vault.azure.net to this server. */
  agent(): Agent {
    return new Agent({
      ca: this.tls.cert,
      lookup: ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
        opts?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as never,
    });
  }

  setSecret(name: string, value: string): string {
    const version = `v${(this.secrets.get(name)?.length ?? 0) + 1}${'0'.repeat(30)}`;
    this.secrets.set(name, [...(this.secrets.get(name) ?? []), { version, value }]);
    return version;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://x');
    const authorized = req.headers.authorization === `Bearer ${this.token}`;
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ path: url.pathname, authorized, at: Date.now(), status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (!url.searchParams.get('api-version')) return send(400, { error: { code: 'MissingApiVersionParameter', message: 'api-version is required' } });
    if (!authorized) {
      return send(401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, {
        'www-authenticate': 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001", resource="https://vault.azure.net"',
      });
    }
    if (this.down) return send(500, { error: { code: 'InternalServerError', message: 'the vault is down' } });
    const m = /^\/secrets\/([a-zA-Z0-9-]+)(?:\/([a-zA-Z0-9]+))?\/?$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return send(400, { error: { code: 'BadParameter', message: `unsupported ${req.method} ${url.pathname}` } });
    const [, name, version] = m as unknown as [string, string, string | undefined];
    const step = this.script.get(name)?.shift();
    if (step?.status === 429) return send(429, { error: { code: 'Throttled', message: 'Rate limit exceeded' } }, { 'retry-after': String(step.retryAfter) });
    if (step) return send(step.status, { error: { code: step.status === 403 ? 'Forbidden' : 'ServiceUnavailable', message: `scripted ${step.status}` } });
    const versions = this.secrets.get(name);
    const found = version ? versions?.find((v) => v.version === version) : versions?.[versions.length - 1];
    if (!found) return send(404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault.` } });
    const host = req.headers.host ?? 'localhost';
    send(200, {
      value: found.value,
      id: `https://${host}/secrets/${name}/${found.version}`,
      attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_000, recoveryLevel: 'Recoverable+Purgeable' },
      tags: {},
    });
  }
}

/** A TokenCredential that hands out the server's token and records the scopes asked for. */
export function testCredential(server: KeyVaultServer): { getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number }>; scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    getToken: (s) => {
      scopes.push(...(Array.isArray(s) ? s : [s]));
      return Promise.resolve({ token: server.token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}
