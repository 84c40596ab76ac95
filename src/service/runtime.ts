/**
 * What every daemon starts with, wired in `init*` steps (as op-challenger does):
 * logger → metrics → RPC (fallback + health checks) → chain identity check →
 * signer → database → transaction sender → shutdown handling.
 */
import { createPublicClient, defineChain, type Chain, type PublicClient } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import type { ResolvedDeployment } from "./commonConfig.ts";
import { HeadMonitor } from "./heads.ts";
import { createLogger, errorText, type Logger, type LogLevel } from "./logger.ts";
import { NoopMetrics, PromMetrics, type MetricDef, type Metrics } from "./metrics.ts";
import { ResilientRpc } from "./rpc.ts";
import { Shutdown, sleep } from "./shutdown.ts";
import { openDatabase, getMeta, setMeta, type DatabaseSync } from "./sqlite.ts";
import { TxSender } from "./txSender.ts";
import type { Hex } from "viem";

export interface RuntimeConfig {
  readonly rpcUrls: readonly string[];
  readonly rpcTimeoutMs: number;
  readonly privateKey: Hex;
  readonly db: string;
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  readonly confirmations: number;
  readonly maxFeeGwei: number;
  readonly bumpAfterSec: number;
}

export interface Runtime<M extends string> {
  readonly log: Logger;
  readonly metrics: Metrics<M>;
  readonly metricsPort?: number;
  readonly rpc: ResilientRpc;
  readonly client: PublicClient;
  readonly chain: Chain;
  readonly account: PrivateKeyAccount;
  readonly addresses: ProtocolAddresses;
  readonly deployBlock: bigint;
  readonly db: DatabaseSync;
  readonly tx: TxSender;
  readonly heads: HeadMonitor;
  readonly shutdown: Shutdown;
  close(): Promise<void>;
}

/** The chain, its deployment or the database do not fit together: refuse to start. */
export class StartupError extends Error {
  override readonly name = "StartupError";
  readonly code = "STARTUP";
}

export async function initRuntime<M extends string>(p: {
  readonly service: "watcher" | "provider";
  readonly config: RuntimeConfig;
  readonly deployment: ResolvedDeployment;
  readonly metricDefs: Readonly<Record<M, MetricDef>>;
  readonly migrations: readonly string[];
}): Promise<Runtime<M>> {
  const { config } = p;
  const log = createLogger(p.service, config.logLevel);
  const shutdown = new Shutdown(log);

  let metrics: Metrics<M> = new NoopMetrics<M>();
  let metricsPort: number | undefined;
  if (config.metricsPort >= 0) {
    const prom = new PromMetrics<M>(`refute_${p.service}`, p.metricDefs);
    metricsPort = await prom.listen(config.metricsPort);
    metrics = prom;
    log.info({ port: metricsPort, url: `http://127.0.0.1:${metricsPort}/metrics` }, "metrics listening");
  }

  const rpc = new ResilientRpc(config.rpcUrls, {
    timeoutMs: config.rpcTimeoutMs,
    healthIntervalMs: Math.max(500, Math.min(5000, config.rpcTimeoutMs)),
    onChange: (e, event) =>
      event === "down"
        ? log.warn({ url: e.url, err: e.lastError }, "RPC endpoint down")
        : log.info({ url: e.url }, "RPC endpoint up"),
  });
  const probe = createPublicClient({ transport: rpc.transport() });
  let chainId: number | undefined;
  while (chainId === undefined) {
    try {
      chainId = await probe.getChainId();
    } catch (err) {
      if (shutdown.signal.aborted) throw new StartupError("stopped before the RPC answered");
      log.warn({ err: errorText(err) }, "RPC not answering yet; retrying");
      await sleep(2000, shutdown.signal);
    }
  }
  if (p.deployment.chainId !== undefined && p.deployment.chainId !== chainId) {
    throw new StartupError(
      `the RPC serves chain ${chainId}, the deployment is for chain ${p.deployment.chainId}: ` +
        `point --rpc-url at a node of chain ${p.deployment.chainId}, or use the deployment of chain ${chainId}`,
    );
  }
  const code = await probe.getCode({ address: p.deployment.addresses.jobManager });
  if (code === undefined || code === "0x") {
    throw new StartupError(
      `no contract at the JobManager address ${p.deployment.addresses.jobManager} on chain ${chainId}: ` +
        `the deployment is not on this chain; use the right --deployment/--network or --rpc-url`,
    );
  }
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [...config.rpcUrls] } },
  });
  const client = createPublicClient({ chain, transport: rpc.transport() }) as PublicClient;
  rpc.start();

  const account = privateKeyToAccount(config.privateKey);
  const db = await openDatabase(config.db, p.migrations);
  // One database belongs to one (chain, deployment, signer): refuse to mix state.
  const identity = `${chainId}:${p.deployment.addresses.jobManager}:${account.address}`.toLowerCase();
  const stored = getMeta(db, "identity");
  if (stored === undefined) setMeta(db, "identity", identity);
  else if (stored !== identity) {
    db.close();
    throw new StartupError(`database ${config.db} belongs to ${stored}, not ${identity}: use another --db`);
  }

  const tx = new TxSender(
    db,
    client,
    account,
    {
      chainId,
      // Reorgs deeper than the confirmation depth happen: keep re-checking for a while longer.
      finalityDepth: Math.max(12, config.confirmations * 2),
      bumpAfterMs: config.bumpAfterSec * 1000,
      deadlineMarginSec: 10,
      bumpPercent: 25,
      maxFeePerGas: BigInt(Math.round(config.maxFeeGwei * 1e9)),
    },
    log.child({ component: "tx" }),
    metrics as Metrics<string> as Metrics<"tx_sent" | "tx_bumped" | "tx_failed" | "tx_rebroadcast">,
  );
  log.info(
    {
      chainId,
      address: account.address,
      rpc: config.rpcUrls,
      jobManager: p.deployment.addresses.jobManager,
      disputeGame: p.deployment.addresses.disputeGame,
      db: config.db,
    },
    `${p.service} starting`,
  );
  return {
    log,
    metrics,
    metricsPort,
    rpc,
    client,
    chain,
    account,
    addresses: p.deployment.addresses,
    deployBlock: p.deployment.deployBlock,
    db,
    tx,
    heads: new HeadMonitor(client),
    shutdown,
    async close() {
      rpc.stop();
      await metrics.close();
      db.close();
      shutdown.dispose();
    },
  };
}
