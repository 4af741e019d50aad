import { createHash, randomUUID } from 'node:crypto';

/** A fresh random id for an invocation. */
export function newId(): string {
  return randomUUID();
}

/** FNV-1a over the actor's type and id, mapped to one of `partitions` partitions. */
export function partitionOf(actorType: string, actorId: string, partitions: number): number {
  let h = 0x811c9dc5;
  const s = `${actorType}\u0000${actorId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** A deterministic UUID-shaped id derived from a seed string (for replay-safe ids). */
export function deterministicUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A deterministic float in [0, 1) derived from a seed string. */
export function deterministicRandom(seed: string): number {
  const buf = createHash('sha256').update(seed).digest();
  return buf.readUInt32BE(0) / 0x1_0000_0000;
}
