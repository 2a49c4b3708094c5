import { Registry } from 'prom-client';

const NAME = 'zen_http_request_duration_seconds';
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

type Labels = { method: string; route: string; status: string };

/** One line of the exposition, as prom-client's registry formats it. */
interface Value {
  labels: Partial<Labels> & { le?: number | string };
  value: number;
  metricName: string;
}

interface Series {
  labels: Labels;
  /** Observations per bucket (not cumulative); the last one is +Inf only. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * The HTTP request histogram (and, as _count, the request counter), by method, route
 * pattern and status, exposed in prom-client's registry exactly as its Histogram would
 * expose it. Recorded by hand because it runs on every request: prom-client's
 * `observe` validates and hashes the label object on each call, which measured as the
 * largest cost of the pipeline's own steps on a single-entry append
 * (docs/performance.md); here a request costs one map lookup and a bucket increment.
 */
export class RequestDurations {
  readonly name = NAME;
  readonly help = 'HTTP request duration (and, as _count, the number of requests), by method, route pattern and status';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(registry: Registry) {
    registry.registerMetric(this as never);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status: String(status) },
        counts: new Float64Array(BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) bucket++;
    series.counts[bucket]++;
    series.sum += seconds;
    series.count++;
  }

  /** What the registry asks every metric for when scraped. */
  async get(): Promise<{ name: string; help: string; type: string; values: Value[]; aggregator: string }> {
    const values: Value[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += counts[i];
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${NAME}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${NAME}_bucket` });
      values.push({ labels: { ...labels }, value: sum, metricName: `${NAME}_sum` });
      values.push({ labels: { ...labels }, value: count, metricName: `${NAME}_count` });
    }
    return { name: NAME, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.clear();
  }
}
