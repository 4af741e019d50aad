import type { WorkNotice } from '../../ports/transport.js';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (the default build's limit). */
export const MAX_PAYLOAD_BYTES = 7999;

/**
 * Packs notices into as few NOTIFY payloads as fit: each a JSON array of
 * `{partition, invocationId}` under {@link MAX_PAYLOAD_BYTES}. A notice too big
 * for any payload on its own (an absurdly long invocation id) is returned in
 * `oversized` instead; the store poll still finds its work.
 */
export function packNotices(notices: readonly WorkNotice[]): { payloads: string[]; oversized: WorkNotice[] } {
  const payloads: string[] = [];
  const oversized: WorkNotice[] = [];
  let items: string[] = [];
  let bytes = 2; // the brackets
  for (const n of notices) {
    const item = JSON.stringify({ partition: n.partition, invocationId: n.invocationId });
    const size = Buffer.byteLength(item);
    if (size + 2 > MAX_PAYLOAD_BYTES) {
      oversized.push(n);
      continue;
    }
    const extra = size + (items.length > 0 ? 1 : 0); // the comma
    if (bytes + extra > MAX_PAYLOAD_BYTES) {
      payloads.push(`[${items.join(',')}]`);
      items = [];
      bytes = 2;
    }
    bytes += size + (items.length > 0 ? 1 : 0);
    items.push(item);
  }
  if (items.length > 0) payloads.push(`[${items.join(',')}]`);
  return { payloads, oversized };
}

/** Reads a payload: an array of notices or a single one. Entries that are not notices are skipped and counted. */
export function unpackNotices(payload: string): { notices: WorkNotice[]; invalid: number } {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { notices: [], invalid: 1 };
  }
  const notices: WorkNotice[] = [];
  let invalid = 0;
  for (const v of Array.isArray(value) ? value : [value]) {
    const n = v as Partial<WorkNotice> | null;
    if (n && Number.isInteger(n.partition) && typeof n.invocationId === 'string') notices.push({ partition: n.partition as number, invocationId: n.invocationId });
    else invalid++;
  }
  return { notices, invalid };
}
