import type { InvocationQuery } from './api-types.js';
import { StudioInputError } from './errors.js';

const TABS = new Set(['all', 'not-running', 'backing-off', 'dead']);

function time(v: string, name: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new StudioInputError(`${name} must be epoch ms or an ISO date, got "${v}"`);
  return n;
}

/** The invocations query from a URL's search parameters; unknown or malformed values are refused by name. */
export function parseInvocationQuery(p: URLSearchParams): InvocationQuery {
  const q: InvocationQuery = {};
  for (const [k, v] of p) {
    if (v === '') continue;
    switch (k) {
      case 'tab':
        if (!TABS.has(v)) throw new StudioInputError(`tab must be one of ${[...TABS].join(', ')}, got "${v}"`);
        q.tab = v as InvocationQuery['tab'];
        break;
      case 'status': q.status = v; break;
      case 'method': q.method = v; break;
      case 'attempt': {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new StudioInputError(`attempt must be a whole number >= 0, got "${v}"`);
        q.minAttempt = n;
        break;
      }
      case 'type': q.actorType = v; break;
      case 'id': q.actorId = v; break;
      case 'key': q.idempotencyKey = v; break;
      case 'error': q.errorCode = v; break;
      case 'since': q.since = time(v, 'since'); break;
      case 'until': q.until = time(v, 'until'); break;
      case 'cursor': q.cursor = v; break;
      case 'limit': {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 500) throw new StudioInputError(`limit must be a whole number from 1 to 500, got "${v}"`);
        q.limit = n;
        break;
      }
      case 'view': break;
      default: throw new StudioInputError(`unknown invocations filter "${k}" (tab, status, type, id, method, key, error, attempt, since, until, cursor, limit)`);
    }
  }
  return q;
}
