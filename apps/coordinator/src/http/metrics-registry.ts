/**
 * A small Prometheus registry (text exposition format 0.0.4). Counters and gauges keyed by label
 * values; collectors refresh gauges from the store right before each scrape.
 *
 * @example
 * const dropped = registry.counter('godwit_ingest_dropped_total', 'Reports dropped', ['reason']);
 * dropped.inc({ reason: 'malformed' });
 */
export type Labels = Record<string, string>;

abstract class Metric {
  protected readonly values = new Map<string, { labels: Labels; value: number }>();
  abstract readonly type: 'counter' | 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  protected add(labels: Labels, delta: number, replace: boolean): void {
    const key = JSON.stringify(Object.entries(labels).sort());
    const seen = this.values.get(key);
    this.values.set(key, { labels, value: replace || !seen ? delta : seen.value + delta });
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${formatLabels(labels)} ${value}`);
    return lines.join('\n');
  }
}

export class Counter extends Metric {
  readonly type = 'counter';
  inc(labels: Labels = {}, by = 1): void {
    this.add(labels, by, false);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  set(labels: Labels, value: number): void {
    this.add(labels, value, true);
  }
  /** Forget every series: a collector rebuilds them on each scrape, so removed ones vanish. */
  reset(): void {
    this.values.clear();
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => Promise<void>)[] = [];

  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.register(new Gauge(name, help));
  }

  collect(collector: () => Promise<void>): void {
    this.collectors.push(collector);
  }

  async render(): Promise<string> {
    for (const collector of this.collectors) await collector();
    return `${[...this.metrics.values()].map((m) => m.render()).join('\n')}\n`;
  }

  private register<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}
