/** One stream entry as the Redis Streams transport writes it: the invocation id in field `i`. */
export interface StreamEntry {
  /** The stream key as Redis names it (with the client's own keyPrefix, if any). */
  stream: string;
  id: string;
  /** Undefined when the entry lacks the field (written by something else). */
  invocationId: string | undefined;
}

/** The field that carries the invocation id; one short field keeps entries small. */
export const FIELD = 'i';

/** Parses an XREADGROUP reply: `[[stream, [[id, [field, value, …]], …]], …]` or nil. */
export function parseRead(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: StreamEntry[] = [];
  for (const item of reply) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
    out.push(...parseEntries(item[0], item[1]));
  }
  return out;
}

/** Parses an XAUTOCLAIM reply: `[next cursor, entries, deleted ids]`. */
export function parseAutoClaim(stream: string, reply: unknown): { next: string; entries: StreamEntry[] } {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') return { next: '0-0', entries: [] };
  return { next: reply[0], entries: parseEntries(stream, reply[1]) };
}

function parseEntries(stream: string, list: unknown): StreamEntry[] {
  if (!Array.isArray(list)) return [];
  const out: StreamEntry[] = [];
  for (const entry of list) {
    // Redis 6.2's XAUTOCLAIM returns nil for entries deleted while pending.
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
    out.push({ stream, id: entry[0], invocationId: field(entry[1], FIELD) });
  }
  return out;
}

function field(fields: unknown, name: string): string | undefined {
  if (!Array.isArray(fields)) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value: unknown = fields[i + 1];
    if (fields[i] === name && typeof value === 'string') return value;
  }
  return undefined;
}
