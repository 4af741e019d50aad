/** A small seeded generator (mulberry32): the same seed gives the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Version-4-shaped UUIDs drawn from a seeded generator, so that a seed also fixes every invocation id. */
export function seededIds(random: () => number): () => string {
  const hex = (n: number) => Math.floor(random() * 16 ** n).toString(16).padStart(n, '0');
  return () => `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(random() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
}

/** The seed to use: the one given, else LOOM_SEED from the environment, else a fresh random one. */
export function chooseSeed(seed: number | undefined): number {
  if (seed !== undefined) return seed >>> 0;
  const env = process.env.LOOM_SEED;
  if (env !== undefined && env !== '' && Number.isInteger(Number(env))) return Number(env) >>> 0;
  return Math.floor(Math.random() * 2 ** 31);
}
