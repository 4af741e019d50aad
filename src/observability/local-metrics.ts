import type { Registry } from 'prom-client';

/**
 * Counters and histograms whose labelled series are plain numbers kept by
 * Loom, handed to prom-client only when a registry is scraped (it calls
 * `get()`). A prom-client child hashes its label object on every `inc` and
 * `observe`; a series here is resolved once and then costs a few additions.
 * Same exposition (names, labels, `le` buckets, `_sum`, `_count`) and the
 * `sum` aggregation of prom-client's own metrics.
 */

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** One series of a counter. */
export class CounterSeries {
  value = 0;
  constructor(readonly labels: Record<string, string>) {}
  inc(): void {
    this.value++;
  }
}

/** One series of a histogram: a count per bucket (not cumulative), the sum and the count. */
export class HistogramSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Record<string, string>,
    private readonly upper: readonly number[],
  ) {
    this.counts = new Array<number>(upper.length).fill(0);
  }
  observe(v: number): void {
    const u = this.upper;
    let i = 0;
    while (i < u.length && v > u[i]!) i++;
    if (i < u.length) this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

abstract class LocalMetric<S extends { labels: Record<string, string> }> {
  readonly aggregator = 'sum';
  protected readonly byKey = new Map<string, S>();
  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }
  protected abstract make(labels: Record<string, string>): S;
  /** The series of these labels, made on first use; keep it. */
  labels(labels: Record<string, string>): S {
    const key = JSON.stringify(Object.entries(labels).sort());
    let s = this.byKey.get(key);
    if (!s) this.byKey.set(key, (s = this.make(labels)));
    return s;
  }
  reset(): void {
    for (const s of this.byKey.values()) Object.assign(s, this.make(s.labels));
  }
}

export class LocalCounter extends LocalMetric<CounterSeries> {
  readonly type = 'counter';
  protected make(labels: Record<string, string>): CounterSeries {
    return new CounterSeries(labels);
  }
  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values: Value[] = [];
    for (const s of this.byKey.values()) values.push({ labels: { ...s.labels }, value: s.value });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class LocalHistogram extends LocalMetric<HistogramSeries> {
  readonly type = 'histogram';
  constructor(
    name: string,
    help: string,
    registry: Registry,
    private readonly upper: readonly number[],
  ) {
    super(name, help, registry);
  }
  protected make(labels: Record<string, string>): HistogramSeries {
    return new HistogramSeries(labels, this.upper);
  }
  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values: Value[] = [];
    for (const s of this.byKey.values()) {
      let acc = 0;
      for (let i = 0; i < this.upper.length; i++) {
        acc += s.counts[i]!;
        values.push({ labels: { ...s.labels, le: this.upper[i]! }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
