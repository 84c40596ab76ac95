/**
 * Several RPC endpoints behind one viem transport, with health checks.
 *
 * Every request goes to the best endpoint: up (its last probe or request
 * succeeded), not lagging (its head within `maxLagBlocks` of the best head seen),
 * then in the configured order. A request that fails at the network level
 * (refused, reset, timed out, HTTP error) marks the endpoint down and moves on to
 * the next; a JSON-RPC error is an answer and is returned as is, except "unknown
 * block" answers (a lagging node asked about a block it has not seen yet), which
 * also move on. A probe (`eth_blockNumber`) of every endpoint each
 * `healthIntervalMs` brings endpoints back up and measures lag.
 */
import { custom, type Transport } from "viem";

export interface EndpointHealth {
  readonly url: string;
  up: boolean;
  head: bigint;
  failures: number;
  lastError?: string;
}

export interface ResilientRpcOptions {
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  readonly healthIntervalMs?: number;
  readonly maxLagBlocks?: number;
  /** Told when an endpoint goes down or comes back. */
  readonly onChange?: (e: Readonly<EndpointHealth>, event: "down" | "up") => void;
}

/** A JSON-RPC error as an EIP-1193 provider throws it (viem maps it by code). */
export class JsonRpcError extends Error {
  override readonly name = "JsonRpcError";
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Every endpoint failed at the network level. */
export class RpcUnavailableError extends Error {
  override readonly name = "RpcUnavailableError";
}

const UNKNOWN_BLOCK = /block.*not found|unknown block|header not found|not found.*block|missing trie node/i;

export class ResilientRpc {
  readonly endpoints: EndpointHealth[];
  private readonly timeoutMs: number;
  private readonly maxLag: bigint;
  private timer?: NodeJS.Timeout;
  private nextId = 1;

  constructor(
    urls: readonly string[],
    private readonly options: ResilientRpcOptions = {},
  ) {
    if (urls.length === 0) throw new RangeError("at least one RPC URL is needed");
    this.endpoints = urls.map((url) => ({ url, up: true, head: 0n, failures: 0 }));
    this.timeoutMs = options.timeoutMs ?? 4000;
    this.maxLag = BigInt(options.maxLagBlocks ?? 2);
  }

  /** The viem transport. Retries are the router's job, so viem's own are off. */
  transport(): Transport {
    return custom({ request: ({ method, params }) => this.request(method, params) }, { retryCount: 0 });
  }

  /** Starts the periodic probes. */
  start(): void {
    if (this.timer !== undefined) return;
    const interval = this.options.healthIntervalMs ?? 2000;
    void this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Endpoints in the order a request tries them. */
  order(): EndpointHealth[] {
    const best = this.endpoints.reduce((m, e) => (e.up && e.head > m ? e.head : m), 0n);
    const rank = (e: EndpointHealth) => (e.up ? 0 : 2) + (e.up && best - e.head > this.maxLag ? 1 : 0);
    return this.endpoints
      .map((e, i) => ({ e, i }))
      .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
      .map(({ e }) => e);
  }

  async request(method: string, params: unknown): Promise<unknown> {
    let last: unknown;
    for (const e of this.order()) {
      try {
        const result = await this.call(e, method, params);
        this.markUp(e);
        if (method === "eth_blockNumber" && typeof result === "string") e.head = BigInt(result);
        return result;
      } catch (err) {
        last = err;
        if (err instanceof JsonRpcError) {
          if (UNKNOWN_BLOCK.test(err.message)) continue;
          this.markUp(e);
          throw err;
        }
        this.markDown(e, err);
      }
    }
    if (last instanceof JsonRpcError) throw last;
    throw new RpcUnavailableError(
      `no RPC endpoint answered ${method}: ${this.endpoints.map((e) => `${e.url} (${e.lastError ?? "?"})`).join(", ")}`,
      { cause: last },
    );
  }

  private async call(e: EndpointHealth, method: string, params: unknown, timeoutMs = this.timeoutMs): Promise<unknown> {
    const res = await fetch(e.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params: params ?? [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (body.error) throw new JsonRpcError(body.error.code, body.error.message, body.error.data);
    return body.result;
  }

  private async probeAll(): Promise<void> {
    await Promise.all(
      this.endpoints.map(async (e) => {
        try {
          const head = await this.call(e, "eth_blockNumber", [], Math.min(this.timeoutMs, 2000));
          e.head = BigInt(head as string);
          this.markUp(e);
        } catch (err) {
          this.markDown(e, err);
        }
      }),
    );
  }

  private markUp(e: EndpointHealth): void {
    e.failures = 0;
    if (!e.up) {
      e.up = true;
      this.options.onChange?.(e, "up");
    }
  }

  private markDown(e: EndpointHealth, err: unknown): void {
    e.failures += 1;
    e.lastError = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    if (e.up) {
      e.up = false;
      this.options.onChange?.(e, "down");
    }
  }
}
