/** Label values of one series. */
export type MetricLabels = Record<string, string>;

const DEFAULT_LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

function seriesKey(labels: MetricLabels): string {
  const names = Object.keys(labels).sort();
  return names.map((name) => `${name}="${escapeLabelValue(labels[name] ?? '')}"`).join(',');
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  return Number.isInteger(value) ? String(value) : value.toPrecision(12).replace(/\.?0+$/, '');
}

interface HistogramSeries {
  bucketCounts: number[];
  sum: number;
  count: number;
}

/**
 * The gateway's metrics and their Prometheus text exposition (format 0.0.4): requests, errors,
 * upstream latency, time to first token, active streams and tokens.
 */
export class GatewayMetrics {
  private readonly requests = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  private readonly upstreamLatency = new Map<string, HistogramSeries>();
  private readonly timeToFirstToken = new Map<string, HistogramSeries>();
  private activeStreamCount = 0;
  private readonly buckets: readonly number[];

  /** @param buckets - histogram upper bounds in seconds (default 5 ms … 60 s) */
  constructor(buckets: readonly number[] = DEFAULT_LATENCY_BUCKETS_SECONDS) {
    this.buckets = [...buckets].sort((left, right) => left - right);
  }

  /** Counts one finished request. */
  recordRequest(route: string, method: string, status: number): void {
    increment(this.requests, seriesKey({ route, method, status: String(status) }), 1);
  }

  /** Counts one error answered to a client (or ending a stream), by OpenAI error code. */
  recordError(route: string, code: string): void {
    increment(this.errors, seriesKey({ route, code }), 1);
  }

  /** Observes how long the upstream took to answer (first event), in seconds. */
  observeUpstreamLatency(route: string, seconds: number): void {
    this.observe(this.upstreamLatency, seriesKey({ route }), seconds);
  }

  /** Observes the time from request arrival to the first token sent, in seconds. */
  observeTimeToFirstToken(route: string, seconds: number): void {
    this.observe(this.timeToFirstToken, seriesKey({ route }), seconds);
  }

  /** Adds tokens of a kind (`prompt`, `completion`, `cached`, `reasoning`). */
  addTokens(kind: 'prompt' | 'completion' | 'cached' | 'reasoning', count: number): void {
    if (count > 0) increment(this.tokens, seriesKey({ kind }), count);
  }

  /** A stream started. */
  streamOpened(): void {
    this.activeStreamCount += 1;
  }

  /** A stream ended (finished, failed or cancelled). */
  streamClosed(): void {
    this.activeStreamCount = Math.max(0, this.activeStreamCount - 1);
  }

  /** Streams open right now. */
  get activeStreams(): number {
    return this.activeStreamCount;
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, series: Map<string, number>): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [key, value] of series)
        lines.push(`${name}${key === '' ? '' : `{${key}}`} ${formatNumber(value)}`);
    };
    const histogram = (name: string, help: string, series: Map<string, HistogramSeries>): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const [key, value] of series) {
        const prefix = key === '' ? '' : `${key},`;
        this.buckets.forEach((bound, index) => {
          lines.push(
            `${name}_bucket{${prefix}le="${formatNumber(bound)}"} ${value.bucketCounts[index] ?? 0}`,
          );
        });
        lines.push(`${name}_bucket{${prefix}le="+Inf"} ${value.count}`);
        const labels = key === '' ? '' : `{${key}}`;
        lines.push(
          `${name}_sum${labels} ${formatNumber(value.sum)}`,
          `${name}_count${labels} ${value.count}`,
        );
      }
    };
    counter(
      'codetether_server_requests_total',
      'HTTP requests answered, by route, method and status.',
      this.requests,
    );
    counter(
      'codetether_server_errors_total',
      'Errors answered or ending a stream, by route and code.',
      this.errors,
    );
    histogram(
      'codetether_server_upstream_latency_seconds',
      'Time until the upstream answered with its first event.',
      this.upstreamLatency,
    );
    histogram(
      'codetether_server_time_to_first_token_seconds',
      'Time from request arrival to the first token sent to the client.',
      this.timeToFirstToken,
    );
    lines.push(
      '# HELP codetether_server_active_streams Streaming responses open right now.',
      '# TYPE codetether_server_active_streams gauge',
      `codetether_server_active_streams ${this.activeStreamCount}`,
    );
    counter('codetether_server_tokens_total', 'Tokens reported by the upstream, by kind.', this.tokens);
    return `${lines.join('\n')}\n`;
  }

  private observe(series: Map<string, HistogramSeries>, key: string, seconds: number): void {
    let entry = series.get(key);
    if (entry === undefined) {
      entry = { bucketCounts: this.buckets.map(() => 0), sum: 0, count: 0 };
      series.set(key, entry);
    }
    const value = Math.max(0, seconds);
    this.buckets.forEach((bound, index) => {
      if (value <= bound && entry !== undefined)
        entry.bucketCounts[index] = (entry.bucketCounts[index] ?? 0) + 1;
    });
    entry.sum += value;
    entry.count += 1;
  }
}

function increment(series: Map<string, number>, key: string, amount: number): void {
  series.set(key, (series.get(key) ?? 0) + amount);
}
