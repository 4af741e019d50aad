/**
 * Ids seen recently, in bounded memory: between `limit` and 2 x `limit` of the
 * latest. Two generations instead of evicting the oldest id one by one:
 * deleting from the front of a Set makes V8 walk the tombstones on every later
 * `values().next()`.
 */
export class RecentIds {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(private readonly limit = 10_000) {}

  add(id: string): void {
    this.current.add(id);
    if (this.current.size >= this.limit) {
      this.previous = this.current;
      this.current = new Set();
    }
  }

  has(id: string): boolean {
    return this.current.has(id) || this.previous.has(id);
  }

  delete(id: string): void {
    this.current.delete(id);
    this.previous.delete(id);
  }
}
