import type { DiscoveryEntry } from '../ports/discovery.js';

/** How a call by capability chooses among the actors that offer it. */
export type PickStrategy = 'random' | 'least-loaded' | ((candidates: DiscoveredActor[]) => DiscoveredActor);

/** A live registration, as `find` returns it. */
export type DiscoveredActor = DiscoveryEntry;

/**
 * `random`: uniform. `least-loaded`: the lowest load, counting the load the
 * actor's worker reported at its last heartbeat plus the calls this process
 * has in flight to it; ties are broken at random.
 */
export function pick(candidates: DiscoveredActor[], strategy: PickStrategy, inflight: (e: DiscoveredActor) => number): DiscoveredActor {
  if (typeof strategy === 'function') return strategy(candidates);
  if (strategy === 'random') return candidates[Math.floor(Math.random() * candidates.length)]!;
  let best: DiscoveredActor[] = [];
  let bestScore = Infinity;
  for (const c of candidates) {
    const score = c.load + inflight(c);
    if (score < bestScore) {
      bestScore = score;
      best = [c];
    } else if (score === bestScore) best.push(c);
  }
  return best[Math.floor(Math.random() * best.length)]!;
}
