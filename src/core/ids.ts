import { createHash, randomFillSync } from 'node:crypto';

const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Random bytes for 512 ids at a time; `crypto.randomUUID` keeps a similar cache. */
const pool = Buffer.alloc(16 * 512);
let poolAt = pool.length;
const text = Buffer.alloc(36);

/** Where ids come from instead of randomness, while a simulation runs (see loom/testing). */
let idSource: (() => string) | undefined;

/** Makes `newId` draw from `source` (a seeded generator) until called with undefined. For the testing kit only. */
export function useIdSource(source: (() => string) | undefined): void {
  idSource = source;
}

/**
 * A fresh random (version 4) UUID for an invocation, as one flat string.
 * `crypto.randomUUID` builds its string from 20 concatenated pieces, and a
 * record that keeps the result keeps the 14 rope nodes too (about 450 bytes
 * per id instead of 56).
 */
export function newId(): string {
  if (idSource) return idSource();
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  let o = 0;
  for (let i = 0; i < 16; i++) {
    let b = pool[poolAt + i]!;
    if (i === 6) b = (b & 0x0f) | 0x40;
    else if (i === 8) b = (b & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) text[o++] = 0x2d;
    text[o++] = HEX[b >> 4]!;
    text[o++] = HEX[b & 15]!;
  }
  poolAt += 16;
  return text.toString('latin1', 0, 36);
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
