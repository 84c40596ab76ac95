/**
 * The watcher daemon's real throughput: `refute watch` as a real process, against anvil,
 * sampling every job, draining a backlog of committed jobs, its SQLite store included.
 *
 * - anvil on 127.0.0.1 with a block time, the protocol deployed and the shipped model
 *   registered with a challenge window long enough to outlast the run;
 * - an honest provider daemon (`refute provide`) commits every request, in batches;
 *   requests are sent without pacing, and the provider is stopped once every job is
 *   committed, so the watcher has the machine to itself;
 * - then the watcher starts on a fresh database (`--sampling-rate 1`) and reads the
 *   backlog from the deploy block. Its rate is the number of jobs verified divided by
 *   the time from its start line to its last `job verified` line (both from its own
 *   log's timestamps), executor start-up and chain reads included.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseEventLogs, type Address, type Hash, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { jobManagerAbi } from "../chain/abis.ts";
import { startAnvil } from "../chain/anvil.ts";
import { deployToNetwork, writeDeploymentRecord } from "../cli/deploy.ts";
import { connectSigner } from "../cli/network.ts";
import { registerModelSpec } from "../cli/register.ts";
import { approve, mint, requestJob } from "../client/calls.ts";
import type { RefuteClient } from "../client/contracts.ts";
import { send } from "../client/send.ts";
import type { ModelParams } from "../model/modelSpec.ts";
import { modelIdFor, modelSpecFor } from "../onnx/modelSpecFor.ts";
import { at } from "../tensor/at.ts";
import { pack } from "../tensor/packing.ts";
import { ANVIL_KEYS } from "../demo/accounts.ts";
import { BenchDaemon, waitForStake, type LogLine } from "./daemon.ts";
import type { Workload } from "./inputs.ts";
import { round } from "./stats.ts";

/** Who plays which part, as indices into anvil's funded development accounts (local use only). */
const ROLE = { deployer: 0, requester: 1, provider: 2, watcher: 3 } as const;
const keyOf = (r: keyof typeof ROLE): Hex => at(ANVIL_KEYS, ROLE[r]);
const addressOf = (r: keyof typeof ROLE): Address => privateKeyToAccount(keyOf(r)).address;

const TOKEN = 10n ** 18n;
const STAKE = 1_000_000n * TOKEN;
const COLLATERAL = 100n * TOKEN;

export interface BacklogOptions {
  /** Committed jobs in the backlog. */
  readonly jobs: number;
  /** Seconds. */
  readonly blockTime: number;
  /** The daemons' --poll-interval. */
  readonly pollIntervalMs: number;
  /** The daemons' --confirmations. */
  readonly confirmations: number;
  /** The watcher's --concurrency. */
  readonly concurrency: number;
  /** Give up after this long in each phase (commits, then verification). */
  readonly timeoutSec: number;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

export interface BacklogResult {
  readonly jobs: number;
  readonly verified: number;
  /** Jobs the watcher marked anything but verified (should be 0: every job is honest). */
  readonly notVerified: number;
  /** Watcher start line → last `job verified` line, seconds. */
  readonly drainSec: number;
  readonly daemonJobsPerSecond: number;
  /** Request of the first job → commit of the last, seconds (the provider daemon, for context). */
  readonly commitSec: number;
  readonly config: {
    readonly blockTimeSec: number;
    readonly challengeWindowSec: number;
    readonly pollIntervalMs: number;
    readonly confirmations: number;
    readonly watcherSamplingRate: number;
    readonly watcherConcurrency: number;
  };
  readonly method: string;
}

export async function benchBacklog(w: Workload, o: BacklogOptions): Promise<BacklogResult> {
  mkdirSync(join(o.workDir, "logs"), { recursive: true });
  const anvil = await startAnvil({ blockTime: o.blockTime });
  const daemons: BenchDaemon[] = [];
  try {
    const deployer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), "bench");
    const record = await deployToNetwork({ signer: deployer, network: "bench" });
    const deploymentFile = join(o.workDir, "deployment.json");
    writeDeploymentRecord(deploymentFile, record);
    const addresses = record.addresses;
    // Long enough for both phases: no job may finalize before the watcher has read it.
    const challengeWindow = 2 * o.timeoutSec + 600;
    const params: ModelParams = {
      challengeWindow: BigInt(challengeWindow),
      responseWindow: 60n,
      collateralPerJob: COLLATERAL,
      challengerBond: 10n * TOKEN,
    };
    const specOptions = { uri: "file://fmnist-mlp.onnx", params };
    const modelId = modelIdFor(w.compiled, specOptions);
    await registerModelSpec(deployer, addresses, modelSpecFor(w.compiled, specOptions), modelId);
    const admin: RefuteClient = { public: deployer.public, wallet: deployer.wallet, addresses };
    for (const k of ["requester", "provider", "watcher"] as const) {
      await send(admin, mint(addresses, addressOf(k), 10n ** 9n * TOKEN));
    }
    const req = await connectSigner(anvil.rpcUrl, keyOf("requester"), "bench");
    const requester: RefuteClient = { public: req.public, wallet: req.wallet, addresses };
    await send(requester, approve(addresses, addresses.jobManager, 10n ** 9n * TOKEN));
    const pub = deployer.public;

    const common = ["--poll-interval", String(o.pollIntervalMs), "--confirmations", String(o.confirmations)];
    const start = (name: string, key: keyof typeof ROLE, args: readonly string[]) => {
      const d = new BenchDaemon(
        name,
        [...args, "--deployment", deploymentFile, "--model", w.modelFile, "--db", join(o.workDir, `${name}.sqlite`)],
        { REFUTE_RPC_URL: anvil.rpcUrl, REFUTE_PRIVATE_KEY: keyOf(key), REFUTE_LOG_LEVEL: "info" },
        join(o.workDir, "logs", `${name}.log`),
      );
      daemons.push(d);
      return d;
    };
    const provider = start("provider", "provider", [
      "provide",
      "--trace-port",
      "0",
      "--stake",
      STAKE.toString(),
      "--max-batch",
      "64",
      "--batch-wait",
      "500",
      ...common,
    ]);
    await provider.waitFor("trace server listening", 180_000);
    await waitForStake(pub, { stakeManager: addresses.stakeManager, provider: addressOf("provider"), stake: STAKE, daemon: provider });

    // The backlog: every request sent at once (explicit nonces), then every commit awaited.
    o.log(`sending ${o.jobs} requests`);
    const commitStart = Date.now();
    let nonce = await pub.getTransactionCount({ address: addressOf("requester"), blockTag: "pending" });
    const deadline = (await pub.getBlock()).timestamp + BigInt(o.timeoutSec) + 600n;
    const hashes: Hash[] = [];
    for (let i = 0; i < o.jobs; i++) {
      const call = requestJob(addresses, {
        modelId,
        input: pack(at(w.inputs, i % w.inputs.length)),
        fee: TOKEN,
        commitDeadline: deadline,
      });
      hashes.push(
        await requester.wallet.writeContract({
          ...call,
          chain: requester.wallet.chain,
          account: requester.wallet.account,
          nonce: nonce++,
          gas: 1_000_000n,
        }),
      );
    }
    const jobIds = new Set<bigint>();
    for (const hash of hashes) {
      const receipt = await pub.waitForTransactionReceipt({ hash, timeout: o.timeoutSec * 1000 });
      if (receipt.status !== "success") throw new Error(`request reverted (tx ${hash})`);
      const [ev] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
      if (ev === undefined) throw new Error(`request emitted no JobRequested (tx ${hash})`);
      jobIds.add(ev.args.jobId);
    }
    o.log(`${jobIds.size} requests mined; waiting for the provider to commit them`);
    const committed = await waitForCommits(pub, addresses.jobManager, jobIds, provider, o.timeoutSec);
    const commitSec = round((Date.now() - commitStart) / 1000, 1);
    o.log(`${committed} jobs committed in ${commitSec} s; stopping the provider`);
    await provider.stop();

    const watcher = start("watcher", "watcher", [
      "watch",
      "--sampling-rate",
      "1",
      "--concurrency",
      String(o.concurrency),
      ...common,
    ]);
    const started = timeOf(await watcher.waitFor("watcher starting", 180_000));
    const verdicts = () => watcher.lines.filter((l) => VERDICTS.has(l.msg ?? ""));
    const drainDeadline = Date.now() + o.timeoutSec * 1000;
    while (verdicts().length < jobIds.size) {
      if (!watcher.running) throw new Error(`the watcher exited during the drain\n${watcher.tail()}`);
      if (Date.now() > drainDeadline)
        throw new Error(`the watcher judged ${verdicts().length} of ${jobIds.size} jobs within ${o.timeoutSec} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const verified = watcher.messages("job verified");
    const last = Math.max(...verified.map(timeOf));
    const drainSec = (last - started) / 1000;
    o.log(`the watcher verified ${verified.length} jobs in ${round(drainSec, 1)} s`);
    await watcher.stop();
    return {
      jobs: jobIds.size,
      verified: verified.length,
      notVerified: verdicts().length - verified.length,
      drainSec: round(drainSec, 2),
      daemonJobsPerSecond: round(verified.length / drainSec, 2),
      commitSec,
      config: {
        blockTimeSec: o.blockTime,
        challengeWindowSec: challengeWindow,
        pollIntervalMs: o.pollIntervalMs,
        confirmations: o.confirmations,
        watcherSamplingRate: 1,
        watcherConcurrency: o.concurrency,
      },
      method:
        "refute watch as a real process against anvil, --sampling-rate 1, fresh SQLite store, started after every job of the backlog was committed; jobs verified ÷ (last 'job verified' − 'watcher starting'), both from the watcher's log timestamps",
    };
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await anvil.stop();
  }
}

/** The watcher's per-job verdict lines: every sampled job ends in one of them. */
const VERDICTS: ReadonlySet<string> = new Set([
  "job verified",
  "job MISMATCH: challenging",
  "job unverifiable",
  "job checked too late: window closed",
]);

/** A log line's timestamp (ms since the epoch; the daemons log ISO times). */
function timeOf(l: LogLine): number {
  const t = l["time"];
  const ms = typeof t === "number" ? t : typeof t === "string" ? Date.parse(t) : NaN;
  if (!Number.isFinite(ms)) throw new Error(`log line without a time: ${JSON.stringify(l)}`);
  return ms;
}

async function waitForCommits(
  pub: PublicClient,
  jobManager: Address,
  jobIds: ReadonlySet<bigint>,
  d: BenchDaemon,
  timeoutSec: number,
): Promise<number> {
  const deadline = Date.now() + timeoutSec * 1000;
  const seen = new Set<bigint>();
  let from = 0n;
  for (;;) {
    const head = await pub.getBlockNumber({ cacheTime: 0 });
    if (head >= from) {
      const logs = await pub.getContractEvents({
        address: jobManager,
        abi: jobManagerAbi,
        eventName: "JobCommitted",
        fromBlock: from,
        toBlock: head,
      });
      for (const l of logs) if (jobIds.has(l.args.jobId ?? -1n)) seen.add(l.args.jobId ?? -1n);
      from = head + 1n;
    }
    if (seen.size === jobIds.size) return seen.size;
    if (!d.running) throw new Error(`${d.name} exited with ${seen.size} of ${jobIds.size} jobs committed\n${d.tail()}`);
    if (Date.now() > deadline) throw new Error(`${seen.size} of ${jobIds.size} jobs committed within ${timeoutSec} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
