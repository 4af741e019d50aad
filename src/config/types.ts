import { z } from 'zod';

const DURATION = /^\s*\d+(?:\.\d+)?\s*(ms|s|m|h|d)\s*$/;
const SIZE = /^\s*\d+(?:\.\d+)?\s*(b|kb|kib|mb|mib)\s*$/i;
const SECRET_REF = /^(vault:\/\/[^/]+\/[^/]+(\/[^/]+)?|env:\/\/[A-Za-z_][A-Za-z0-9_]*|file:\/\/\/.+)$/;

/** The documented kind of the value schemas made here ('duration', 'seconds', 'size', 'secret reference'). */
export const valueKinds = new WeakMap<object, string>();

function kind<T extends object>(schema: T, name: string): T {
  valueKinds.set(schema, name);
  return schema;
}

/** A duration: milliseconds as a number, or a string such as '500ms', '30s', '5m', '2h', '1d'. */
export function duration(description: string) {
  return kind(z
    .union([
      z.number({ error: 'expected a duration: a number of milliseconds, or a string like 500ms, 30s, 5m, 2h, 1d' }).int().min(0),
      z.string().regex(DURATION, { error: "expected a duration: a number of milliseconds, or a string like '500ms', '30s', '5m', '2h', '1d'" }),
    ])
    .describe(description), 'duration');
}

/** A count of seconds (the seed's unit for idempotencyTtl), or a duration string. */
export function seconds(description: string) {
  return kind(z
    .union([
      z.number({ error: 'expected a number of seconds, or a duration string like 24h' }).min(0),
      z.string().regex(DURATION, { error: "expected a number of seconds, or a duration string like '3600s', '24h', '7d'" }),
    ])
    .describe(description), 'seconds or duration');
}

/** A size in bytes: a number, or a string such as '512kb', '1mb'. */
export function size(description: string) {
  return kind(z
    .union([
      z.number({ error: 'expected a size: a number of bytes, or a string like 512kb, 1mb' }).int().min(1),
      z.string().regex(SIZE, { error: "expected a size: a number of bytes, or a string like '512kb', '1mb'" }),
    ])
    .describe(description), 'size');
}

/** A secret reference: vault://<vault>/<name>[/<version>], env://NAME or file:///path. */
export function secretRef(description: string) {
  return kind(z.string().regex(SECRET_REF, { error: 'expected a secret reference: vault://<vault>/<name>[/<version>], env://NAME or file:///absolute/path' }).describe(description), 'secret reference');
}

/** Milliseconds of a validated duration. */
export function toMs(d: number | string): number {
  if (typeof d === 'number') return d;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(d)!;
  return Math.round(Number(m[1]) * { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86_400e3 }[m[2] as 'ms']);
}

/** Seconds of a validated seconds-or-duration value. */
export function toSeconds(d: number | string): number {
  return typeof d === 'number' ? d : toMs(d) / 1000;
}

/** Bytes of a validated size. */
export function toBytes(s: number | string): number {
  if (typeof s === 'number') return s;
  const m = SIZE.exec(s)!;
  const unit = m[1]!.toLowerCase();
  const n = Number(/\d+(?:\.\d+)?/.exec(s)![0]);
  return Math.round(n * (unit === 'b' ? 1 : unit.startsWith('k') ? 1024 : 1024 * 1024));
}
