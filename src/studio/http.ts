import type { IncomingMessage, ServerResponse } from 'node:http';
import { StudioInputError } from './errors.js';

const MAX_BODY = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request's JSON body (at most 1 MiB), refused by name when it is not an object. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').includes('application/json')) {
    throw new StudioInputError('send the request body as JSON (content-type: application/json)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new StudioInputError('the request body is larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new StudioInputError(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new StudioInputError('the request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function statusOf(err: unknown): number {
  switch ((err as { code?: string }).code) {
    case 'LOOM_STUDIO_BAD_REQUEST':
    case 'LOOM_INVALID_MESSAGE':
    case 'LOOM_NOT_SERIALIZABLE':
    case 'LOOM_PAYLOAD_TOO_LARGE':
    case 'LOOM_UNKNOWN_ACTOR':
    case 'LOOM_UNKNOWN_METHOD':
    case 'LOOM_INVALID_FILTER':
      return 400;
    case 'LOOM_NO_ACTOR_DATA':
      return 501;
    case 'LOOM_STUDIO_UNAUTHORIZED': return 401;
    case 'LOOM_STUDIO_NOT_FOUND':
    case 'LOOM_NOT_FOUND':
      return 404;
    case 'LOOM_STALE_STATE':
    case 'LOOM_ACTION_NOT_ALLOWED':
      return 409;
    case 'LOOM_NO_ADMIN': return 501;
    default: return 500;
  }
}
