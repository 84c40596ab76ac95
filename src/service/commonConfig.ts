/**
 * Configuration every daemon shares: where the chain is, where the protocol is
 * deployed, who signs, where state and metrics live. See docs/DAEMONS.md.
 */
import type { Address } from "viem";
import type { ProtocolAddresses } from "../client/contracts.ts";
import { DeploymentFileError, deploymentPath, loadDeployment } from "../deployments/load.ts";
import { ConfigError, type FieldSpec, type ConfigIssue } from "./config.ts";
import * as f from "./fields.ts";
import { LOG_LEVELS } from "./logger.ts";

export function commonFields(daemon: "watcher" | "provider") {
  return {
    rpcUrls: {
      flag: "--rpc-url <url>",
      env: "REFUTE_RPC_URL",
      help:
        "JSON-RPC endpoint; repeat for fallbacks, tried in order with health checks " +
        "(env: comma-separated; with --network <name>, REFUTE_RPC_URL_<NAME> is read first)",
      multiple: true,
      perNetwork: "network",
      schema: f.urlList({ required: true }),
    },
    network: {
      flag: "--network <name>",
      env: "REFUTE_NETWORK",
      help: "read addresses from deployments/<name>.json",
      schema: f.optionalText(),
    },
    deployment: {
      flag: "--deployment <file>",
      env: "REFUTE_DEPLOYMENT",
      help: "deployment JSON file (the deployments/<network>.json format)",
      schema: f.optionalText(),
    },
    token: {
      flag: "--token <address>",
      env: "REFUTE_TOKEN",
      help: "token address (overrides the deployment)",
      schema: f.optionalAddress(),
    },
    stakeManager: {
      flag: "--stake-manager <address>",
      env: "REFUTE_STAKE_MANAGER",
      help: "StakeManager address (overrides the deployment)",
      schema: f.optionalAddress(),
    },
    modelRegistry: {
      flag: "--model-registry <address>",
      env: "REFUTE_MODEL_REGISTRY",
      help: "ModelRegistry address (overrides the deployment)",
      schema: f.optionalAddress(),
    },
    jobManager: {
      flag: "--job-manager <address>",
      env: "REFUTE_JOB_MANAGER",
      help: "JobManager address (overrides the deployment)",
      schema: f.optionalAddress(),
    },
    oneStepVerifier: {
      flag: "--one-step-verifier <address>",
      env: "REFUTE_ONE_STEP_VERIFIER",
      help: "OneStepVerifier address (overrides the deployment)",
      schema: f.optionalAddress(),
    },
    disputeGame: {
      flag: "--dispute-game <address>",
      env: "REFUTE_DISPUTE_GAME",
      help: "DisputeGame address (overrides the deployment)",
      schema: f.optionalAddress(),
    },
    deployBlock: {
      flag: "--deploy-block <n>",
      env: "REFUTE_DEPLOY_BLOCK",
      help: "first block to scan for events (overrides the deployment; default 0)",
      schema: f.number({ min: 0, integer: true, default: -1 }),
    },
    privateKey: {
      env: "REFUTE_PRIVATE_KEY",
      help: "the signing key (32 bytes hex); environment or env file only, never a flag",
      secret: true,
      schema: f.privateKey(),
    },
    db: {
      flag: "--db <file>",
      env: "REFUTE_DB",
      help: `state database (node:sqlite) (default .data/${daemon}.sqlite)`,
      schema: f.text({ default: `.data/${daemon}.sqlite` }),
    },
    metricsPort: {
      flag: "--metrics-port <port>",
      env: "REFUTE_METRICS_PORT",
      help: "serve Prometheus metrics on 127.0.0.1:<port>/metrics (0: a free port; unset: no metrics)",
      schema: f.number({ min: -1, max: 65535, integer: true, default: -1 }),
    },
    logLevel: {
      flag: "--log-level <level>",
      env: "REFUTE_LOG_LEVEL",
      help: `log level: ${LOG_LEVELS.join(", ")} (default info)`,
      schema: f.choice(LOG_LEVELS, { default: "info" }),
    },
    pollIntervalMs: {
      flag: "--poll-interval <ms>",
      env: "REFUTE_POLL_INTERVAL",
      help: "milliseconds between chain polls (default 1000)",
      schema: f.number({ min: 50, max: 600_000, integer: true, default: 1000 }),
    },
    confirmations: {
      flag: "--confirmations <n>",
      env: "REFUTE_CONFIRMATIONS",
      help: "blocks an event or transaction must be deep before it counts as final (default 2)",
      schema: f.number({ min: 0, max: 1000, integer: true, default: 2 }),
    },
    rpcTimeoutMs: {
      flag: "--rpc-timeout <ms>",
      env: "REFUTE_RPC_TIMEOUT",
      help: "per-request RPC timeout in milliseconds before trying the next endpoint (default 4000)",
      schema: f.number({ min: 100, max: 120_000, integer: true, default: 4000 }),
    },
    maxFeeGwei: {
      flag: "--max-fee-gwei <gwei>",
      env: "REFUTE_MAX_FEE_GWEI",
      help: "never pay more than this per gas, in gwei (default 500)",
      schema: f.number({ min: 0.001, max: 1_000_000, default: 500 }),
    },
    bumpAfterSec: {
      flag: "--bump-after <seconds>",
      env: "REFUTE_BUMP_AFTER",
      help: "raise the fees of a transaction not mined after this long (default 30)",
      schema: f.number({ min: 1, max: 86_400, default: 30 }),
    },
    inputHosts: {
      flag: "--input-host <host>",
      env: "REFUTE_INPUT_HOSTS",
      help:
        "hosts (name or name:port) the inputs of jobs requested by root and URI may be fetched from; " +
        "repeat or comma-separate (default: any host; the URI is the requester's choice)",
      multiple: true,
      schema: f.hostList(),
    },
    inputTimeoutMs: {
      flag: "--input-timeout <ms>",
      env: "REFUTE_INPUT_TIMEOUT",
      help: "milliseconds one fetch of a job input may take; a failed fetch is retried (default 10000)",
      schema: f.number({ min: 100, max: 600_000, integer: true, default: 10_000 }),
    },
  } satisfies Record<string, FieldSpec<unknown>>;
}

export interface ResolvedDeployment {
  readonly addresses: ProtocolAddresses;
  readonly deployBlock: bigint;
  /** From the deployment file; checked against the RPC's chain id at start. */
  readonly chainId?: number;
}

type AddressFields = {
  readonly network?: string;
  readonly deployment?: string;
  readonly token?: Address;
  readonly stakeManager?: Address;
  readonly modelRegistry?: Address;
  readonly jobManager?: Address;
  readonly oneStepVerifier?: Address;
  readonly disputeGame?: Address;
  readonly deployBlock: number;
};

/** The deployment from --deployment / --network, with explicit address flags on top. Throws ConfigError. */
export function resolveDeployment(cfg: AddressFields): ResolvedDeployment {
  const issues: ConfigIssue[] = [];
  let base: Partial<ProtocolAddresses> = {};
  let deployBlock: bigint | undefined;
  let chainId: number | undefined;
  const file = cfg.deployment ?? (cfg.network !== undefined ? deploymentPath(cfg.network) : undefined);
  if (cfg.deployment !== undefined && cfg.network !== undefined) {
    issues.push({ field: "deployment", message: "give --deployment or --network, not both" });
  } else if (file !== undefined) {
    try {
      const d = loadDeployment(file);
      base = d.addresses;
      deployBlock = d.deployBlock;
      chainId = d.chainId;
    } catch (e) {
      if (!(e instanceof DeploymentFileError)) throw e;
      issues.push({ field: cfg.deployment !== undefined ? "deployment" : "network", message: e.message });
    }
  }
  const keys = ["token", "stakeManager", "modelRegistry", "jobManager", "oneStepVerifier", "disputeGame"] as const;
  const merged: Partial<Record<(typeof keys)[number], Address>> = {};
  for (const k of keys) merged[k] = cfg[k] ?? base[k];
  if (issues.length === 0) {
    const missing = keys.filter((k) => merged[k] === undefined);
    if (missing.length > 0) {
      issues.push({
        field: "deployment",
        message:
          file === undefined
            ? "no deployment: set --deployment <file>, --network <name> or every address flag"
            : `missing addresses: ${missing.join(", ")}`,
      });
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return {
    addresses: merged as ProtocolAddresses,
    deployBlock: cfg.deployBlock >= 0 ? BigInt(cfg.deployBlock) : (deployBlock ?? 0n),
    chainId,
  };
}
