import type { WorkNotice } from '../../ports/transport.js';

export function encodeNotice(n: WorkNotice): Buffer {
  return Buffer.from(JSON.stringify({ partition: n.partition, invocationId: n.invocationId }));
}

/** Parses a message body; `undefined` for anything that is not a notice (it is dead-lettered, not delivered). */
export function decodeNotice(body: Buffer): WorkNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const v = value as Partial<WorkNotice> | null;
  if (!v || !Number.isInteger(v.partition) || typeof v.invocationId !== 'string') return undefined;
  return { partition: v.partition as number, invocationId: v.invocationId };
}
