import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../core/errors.js';
import { StudioAuthError } from './errors.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const TOKEN_COOKIE = 'loom_studio_token';

/** True for a host name that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Who may call the API. On loopback without a token, anyone on this machine who
 * names a loopback Host (a page from another site that rebinds its DNS name to
 * 127.0.0.1 does not); anywhere else, only requests that carry the token.
 */
export class Access {
  private readonly token: Buffer | undefined;

  constructor(host: string, token: string | undefined) {
    if (token !== undefined && token.length < 16) {
      throw new ConfigError('the Studio token must be at least 16 characters; generate one with `openssl rand -hex 16`');
    }
    if (!isLoopback(host) && token === undefined) {
      throw new ConfigError(`Studio bound to ${host} is reachable from other machines and needs a token: pass --token (or LOOM_STUDIO_TOKEN), or bind to 127.0.0.1`);
    }
    this.token = token === undefined ? undefined : Buffer.from(token);
  }

  /** Whether a token is required. */
  get protected(): boolean {
    return this.token !== undefined;
  }

  /** Throws StudioAuthError unless the request may use the API. */
  check(req: IncomingMessage): void {
    if (!this.token) {
      const host = hostName(req.headers.host ?? '');
      if (!isLoopback(host)) throw new StudioAuthError(`Host "${req.headers.host ?? ''}" is not a loopback name; open Studio at http://127.0.0.1`);
      return;
    }
    const given = bearer(req) ?? cookie(req, TOKEN_COOKIE);
    if (!given || !this.matches(given)) throw new StudioAuthError('this Studio needs its token: send "Authorization: Bearer <token>", or sign in on the page');
  }

  /** Constant-time comparison with the configured token. */
  matches(given: string): boolean {
    if (!this.token) return true;
    const b = Buffer.from(given);
    return b.length === this.token.length && timingSafeEqual(b, this.token);
  }
}

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon >= 0 ? hostHeader.slice(0, colon) : hostHeader;
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice('Bearer '.length).trim() : undefined;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
