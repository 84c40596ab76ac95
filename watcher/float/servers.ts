/**
 * Where each provider serves the traces of its jobs (provider/traceServer.ts): a base URL
 * per provider address from `--trace-server`, and `--trace-server-default` for the rest.
 * The operator names these URLs, but the same host rule as for job inputs applies
 * (src/service/jobInput.ts): with an allow-list of input hosts, a trace server must be on
 * it or on the loopback interface, so one setting bounds every host the watcher fetches from.
 */
import type { Hex } from "viem";
import { ConfigError, type ConfigIssue } from "../../src/service/config.ts";
import { hostAllowed } from "../../src/service/jobInput.ts";

export interface TraceServerConfig {
  readonly traceServers: ReadonlyMap<string, string>;
  readonly traceServerDefault?: string;
  readonly inputHosts: readonly string[];
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Whether a URL's host is the loopback interface (a trace server on the watcher's own machine). */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.test(url.hostname);
}

export class TraceServers {
  private readonly byProvider: ReadonlyMap<string, URL>;
  private readonly fallback?: URL;

  /** Throws ConfigError naming every URL whose host the input-host rule refuses. */
  constructor(config: TraceServerConfig) {
    const issues: ConfigIssue[] = [];
    const checked = (field: string, raw: string): URL => {
      const url = new URL(raw);
      if (!isLoopback(url) && !hostAllowed(url, config.inputHosts))
        issues.push({
          field,
          message: `${raw}: host ${url.host} is neither loopback nor an allowed input host (--input-host)`,
        });
      return url;
    };
    this.byProvider = new Map(
      [...config.traceServers].map(([provider, raw]) => [provider.toLowerCase(), checked("traceServers", raw)]),
    );
    if (config.traceServerDefault !== undefined)
      this.fallback = checked("traceServerDefault", config.traceServerDefault);
    if (issues.length > 0) throw new ConfigError(issues);
  }

  /** Where the trace of `jobId` by `provider` is served; undefined when no server is known for the provider. */
  traceUrl(provider: Hex, jobId: bigint): URL | undefined {
    const base = this.byProvider.get(provider.toLowerCase()) ?? this.fallback;
    if (base === undefined) return undefined;
    const root = base.href.endsWith("/") ? base.href : `${base.href}/`;
    return new URL(`jobs/${jobId}/trace`, root);
  }
}
