/**
 * Metrics behind a small interface (as op-challenger does): the daemons record
 * through `Metrics`, which is either Prometheus (prom-client, served on
 * 127.0.0.1:<port>/metrics) or a no-op when no port is configured.
 */
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type Labels = Readonly<Record<string, string>>;

export interface MetricDef {
  readonly type: "counter" | "gauge" | "histogram";
  readonly help: string;
  readonly labelNames?: readonly string[];
  /** Histogram buckets (seconds unless the name says otherwise). */
  readonly buckets?: readonly number[];
}

export type MetricDefs = Readonly<Record<string, MetricDef>>;

export interface Metrics<N extends string = string> {
  inc(name: N, labels?: Labels, by?: number): void;
  set(name: N, value: number, labels?: Labels): void;
  observe(name: N, value: number, labels?: Labels): void;
  /** Current value of a counter or gauge without labels (tests, status lines); 0 for the no-op. */
  value(name: N): Promise<number>;
  close(): Promise<void>;
}

export class NoopMetrics<N extends string = string> implements Metrics<N> {
  inc(): void {}
  set(): void {}
  observe(): void {}
  async value(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}

type Metric = Counter | Gauge | Histogram;

export class PromMetrics<N extends string> implements Metrics<N> {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, Metric>();
  private server?: Server;

  constructor(prefix: string, defs: Readonly<Record<N, MetricDef>>) {
    collectDefaultMetrics({ register: this.registry, prefix: `${prefix}_process_` });
    for (const [name, def] of Object.entries(defs) as [N, MetricDef][]) {
      const common = {
        name: `${prefix}_${name}`,
        help: def.help,
        labelNames: [...(def.labelNames ?? [])],
        registers: [this.registry],
      };
      const m =
        def.type === "counter"
          ? new Counter(common)
          : def.type === "gauge"
            ? new Gauge(common)
            : new Histogram({
                ...common,
                buckets: [...(def.buckets ?? [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])],
              });
      this.metrics.set(name, m);
    }
  }

  private get(name: N): Metric {
    const m = this.metrics.get(name);
    if (m === undefined) throw new RangeError(`unknown metric ${name}`);
    return m;
  }

  inc(name: N, labels: Labels = {}, by = 1): void {
    const m = this.get(name);
    if (m instanceof Counter || m instanceof Gauge) m.inc(labels, by);
  }

  set(name: N, value: number, labels: Labels = {}): void {
    const m = this.get(name);
    if (m instanceof Gauge) m.set(labels, value);
  }

  observe(name: N, value: number, labels: Labels = {}): void {
    const m = this.get(name);
    if (m instanceof Histogram) m.observe(labels, value);
  }

  async value(name: N): Promise<number> {
    const m = this.get(name);
    const got = await m.get();
    return got.values.filter((v) => !("metricName" in v) || v.metricName === got.name).reduce((s, v) => s + v.value, 0);
  }

  /** Serves GET /metrics on 127.0.0.1:port (0 = a free port); resolves with the port. */
  listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      if (req.method === "GET" && (req.url === "/metrics" || req.url === "/")) {
        this.registry
          .metrics()
          .then((body) => {
            res.writeHead(200, { "content-type": this.registry.contentType });
            res.end(body);
          })
          .catch((e: unknown) => {
            res.writeHead(500);
            res.end(String(e));
          });
        return;
      }
      res.writeHead(404);
      res.end();
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const a = server.address();
        resolve(typeof a === "object" && a ? a.port : port);
      });
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    if (s === undefined) return;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
  }
}
