/**
 * A small Prometheus registry: counters, gauges and histograms with fixed label names.
 * Label values come from closed sets (route templates, reasons, store kinds), never from
 * a request, so every series set stays bounded.
 */

type Labels = Record<string, string>;

interface Series {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(): string[];
}

/** Series key of a label set; called on hot paths, so the common small sets skip the sort. */
function keyOf(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]}="${labels[names[0]!]}"`;
  return names
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(",");
}

export class Counter {
  private readonly values = new Map<string, number>();

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels)) ?? 0;
  }

  samples(name: string): string[] {
    if (this.values.size === 0) return [`${name} 0`];
    return [...this.values].map(([k, v]) => (k ? `${name}{${k}} ${v}` : `${name} ${v}`));
  }
}

export class Gauge {
  private value = 0;
  constructor(private readonly read?: () => number) {}

  set(v: number): void {
    this.value = v;
  }

  add(by: number): void {
    this.value += by;
  }

  get(): number {
    return this.read ? this.read() : this.value;
  }
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private total = 0;

  constructor(private readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.total++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }

  samples(name: string): string[] {
    const lines = this.buckets.map((b, i) => `${name}_bucket{le="${b}"} ${this.counts[i]}`);
    lines.push(
      `${name}_bucket{le="+Inf"} ${this.total}`,
      `${name}_sum ${this.sum}`,
      `${name}_count ${this.total}`,
    );
    return lines;
  }
}

export class MetricsRegistry {
  private readonly series: Series[] = [];

  counter(name: string, help: string): Counter {
    const c = new Counter();
    this.series.push({ name, help, type: "counter", render: () => c.samples(name) });
    return c;
  }

  gauge(name: string, help: string, read?: () => number): Gauge {
    const g = new Gauge(read);
    this.series.push({ name, help, type: "gauge", render: () => [`${name} ${g.get()}`] });
    return g;
  }

  histogram(name: string, help: string, buckets: number[]): Histogram {
    const h = new Histogram(buckets);
    this.series.push({ name, help, type: "histogram", render: () => h.samples(name) });
    return h;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const out: string[] = [];
    for (const s of this.series)
      out.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`, ...s.render());
    return out.join("\n") + "\n";
  }
}

/** The gateway's own series, created once per app so tests can run many apps side by side. */
export function createGatewayMetrics(registry = new MetricsRegistry()) {
  return {
    registry,
    ticketsMinted: registry.counter("ticketgate_tickets_minted_total", "Tickets handed out."),
    ticketsRedeemed: registry.counter(
      "ticketgate_tickets_redeemed_total",
      "Tickets consumed by an upgrade.",
    ),
    upgradesRefused: registry.counter(
      "ticketgate_upgrades_refused_total",
      "Upgrades refused, by reason.",
    ),
    authFailures: registry.counter(
      "ticketgate_auth_failures_total",
      "API requests refused for their credential, by reason.",
    ),
    requests: registry.counter(
      "ticketgate_http_requests_total",
      "HTTP requests by route template and status.",
    ),
    sessionsLive: registry.gauge("ticketgate_sessions_live", "Sessions open on this node."),
    messagesIn: registry.counter("ticketgate_messages_in_total", "Frames received from sessions."),
    messagesOut: registry.counter("ticketgate_messages_out_total", "Frames sent to sessions."),
    publishFanout: registry.histogram(
      "ticketgate_publish_fanout",
      "Local subscribers reached per publish.",
      [1, 10, 100, 1_000, 10_000, 100_000],
    ),
    sessionsClosed: registry.counter(
      "ticketgate_sessions_closed_total",
      "Sessions closed, by close code name.",
    ),
    errorFrames: registry.counter(
      "ticketgate_error_frames_total",
      "Error frames sent to sessions, by error code.",
    ),
    reauths: registry.counter(
      "ticketgate_reauths_total",
      "In-band re-authentications, by result (ok or refusal reason).",
    ),
    hubFailures: registry.counter(
      "ticketgate_hub_failures_total",
      "Cross-node operations that failed, by operation.",
    ),
    storeLatency: registry.histogram(
      "ticketgate_store_seconds",
      "Ticket store call latency in seconds.",
      [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    ),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
