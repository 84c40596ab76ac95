/**
 * Latency to challenge, latency to slash and time to finality, measured on a local
 * chain with the daemons as real processes:
 *
 * - anvil on 127.0.0.1 with a block time (src/chain/anvil.ts), the protocol deployed
 *   (src/cli/deploy.ts over src/chain/deploy.ts) and the shipped model registered
 *   with short windows;
 * - an honest provider and a cheating provider (`node bin/refute.js provide`, the
 *   cheater with `--fault …`), each serving its own requester, and a watcher
 *   (`node bin/refute.js watch --sampling-rate 1`);
 * - requests of real evaluation images, paced, bad and honest jobs interleaved;
 * - a ChainObserver (observer.ts) in this process records when each block is first
 *   seen (wall clock) and the protocol events in it.
 *
 * Per bad job: from the observation of the block holding its JobCommitted to the
 * observation of the block holding the watcher's ChallengeCommitted (linked to the job
 * by the ChallengeRevealed event of the same challenge id), and to the block holding
 * its JobSlashed / DisputeSettled(fraud). Per honest job: JobRequested → JobCommitted
 * (commit latency), the configured window, and the first block at or after windowEnd →
 * JobFinalized (finalize latency).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseEventLogs, type Abi, type Address, type Hash, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { disputeGameAbi, jobManagerAbi } from "../chain/abis.ts";
import { startAnvil } from "../chain/anvil.ts";
import { deployToNetwork, writeDeploymentRecord } from "../cli/deploy.ts";
import { connectSigner, type NetworkSigner } from "../cli/network.ts";
import { registerModelSpec } from "../cli/register.ts";
import { approve, mint, requestJob } from "../client/calls.ts";
import type { RefuteClient } from "../client/contracts.ts";
import { send } from "../client/send.ts";
import type { ModelParams } from "../model/modelSpec.ts";
import { modelIdFor, modelSpecFor } from "../onnx/modelSpecFor.ts";
import { at } from "../tensor/at.ts";
import { pack } from "../tensor/packing.ts";
import { ANVIL_KEYS } from "../demo/accounts.ts";
import { BenchDaemon, waitForStake } from "./daemon.ts";
import type { Workload } from "./inputs.ts";
import { ChainObserver, type ObservedEvent } from "./observer.ts";
import { percentile, round } from "./stats.ts";

const ROLE = { deployer: 0, honestRequester: 1, cheatedRequester: 2, honest: 3, cheater: 4, watcher: 5 } as const;
type Role = keyof typeof ROLE;
const keyOf = (r: Role): Hex => at(ANVIL_KEYS, ROLE[r]);
const addressOf = (r: Role): Address => privateKeyToAccount(keyOf(r)).address;

const TOKEN = 10n ** 18n;
const STAKE = 20_000n * TOKEN;

export interface LatencyOptions {
  readonly badJobs: number;
  readonly honestJobs: number;
  /** Time between two requests. */
  readonly paceMs: number;
  /** Seconds. */
  readonly blockTime: number;
  readonly challengeWindow: number;
  readonly responseWindow: number;
  /** The daemons' --poll-interval. */
  readonly pollIntervalMs: number;
  /** The daemons' --confirmations. */
  readonly confirmations: number;
  readonly faults: readonly string[];
  /** Give up waiting for resolutions after this long (from the last request). */
  readonly timeoutSec: number;
  /** Observer poll interval. */
  readonly observeIntervalMs: number;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly n: number;
  readonly min: number;
  readonly max: number;
}

export interface LatencyResult {
  readonly latencyToChallengeMs: Percentiles | null;
  readonly latencyToSlashMs: Percentiles | null;
  /** The same from block timestamps (seconds, whole-second resolution), as a cross-check. */
  readonly latencyToChallengeChainSec: Percentiles | null;
  readonly latencyToSlashChainSec: Percentiles | null;
  readonly byFault: Readonly<
    Record<string, { readonly jobs: number; readonly challengeP50Ms: number | null; readonly slashP50Ms: number | null }>
  >;
  readonly badJobs: {
    readonly requested: number;
    readonly committed: number;
    readonly challenged: number;
    readonly slashed: number;
  };
  readonly honestJobs: {
    readonly requested: number;
    readonly committed: number;
    readonly finalized: number;
    /** Honest jobs the watcher challenged (should be 0). */
    readonly challenged: number;
  };
  readonly finality: {
    readonly timeToFinalityMs: Percentiles | null;
    readonly commitLatencyMs: Percentiles | null;
    readonly challengeWindowSec: number;
    /** windowEnd − timestamp of the commit's block, chain seconds. */
    readonly windowOnChainSec: Percentiles | null;
    /** First block at or after windowEnd → JobFinalized's block, wall clock. */
    readonly finalizeTxLatencyMs: Percentiles | null;
  };
  readonly config: {
    readonly blockTimeSec: number;
    readonly challengeWindowSec: number;
    readonly responseWindowSec: number;
    readonly daemonPollIntervalMs: number;
    readonly confirmations: number;
    readonly watcherSamplingRate: number;
    readonly watcherConcurrency: number;
    readonly providerMaxBatch: number;
    readonly providerBatchWaitMs: number;
    readonly paceMs: number;
    readonly faults: readonly string[];
    readonly observerIntervalMs: number;
  };
  /** Every measured job's figures (ms), for the charts. */
  readonly samples: {
    readonly challengeMs: readonly number[];
    readonly slashMs: readonly number[];
    readonly finalityMs: readonly number[];
  };
  readonly method: string;
  /** Two jobs before the measured ones (one per provider); the first re-execution's time, cold start included. */
  readonly warmup: { readonly jobs: number; readonly coldExecutorMs: number | null };
  readonly wallSec: number;
  readonly observerErrors: number;
  readonly unresolved: readonly string[];
}

const pct = (xs: readonly number[], digits = 0): Percentiles | null =>
  xs.length === 0
    ? null
    : {
        p50: round(percentile(xs, 50), digits),
        p95: round(percentile(xs, 95), digits),
        n: xs.length,
        min: round(Math.min(...xs), digits),
        max: round(Math.max(...xs), digits),
      };

const MAX_BATCH = 16;
const BATCH_WAIT_MS = 500;

export async function benchLatency(w: Workload, o: LatencyOptions): Promise<LatencyResult> {
  const started = Date.now();
  mkdirSync(join(o.workDir, "logs"), { recursive: true });
  const anvil = await startAnvil({ blockTime: o.blockTime });
  const daemons: BenchDaemon[] = [];
  let observer: ChainObserver | undefined;
  try {
    o.log(`anvil on ${anvil.rpcUrl}, ${o.blockTime} s blocks`);
    const signer = (r: Role) => connectSigner(anvil.rpcUrl, keyOf(r), "bench");
    const deployer = await signer("deployer");
    const record = await deployToNetwork({ signer: deployer, network: "bench" });
    const deploymentFile = join(o.workDir, "deployment.json");
    writeDeploymentRecord(deploymentFile, record);
    const addresses = record.addresses;
    const params: ModelParams = {
      challengeWindow: BigInt(o.challengeWindow),
      responseWindow: BigInt(o.responseWindow),
      collateralPerJob: 100n * TOKEN,
      challengerBond: 10n * TOKEN,
    };
    const specOptions = { uri: "file://fmnist-mlp.onnx", params };
    const modelId = modelIdFor(w.compiled, specOptions);
    await registerModelSpec(deployer, addresses, modelSpecFor(w.compiled, specOptions), modelId);
    const client = (s: NetworkSigner): RefuteClient => ({ public: s.public, wallet: s.wallet, addresses });
    const admin = client(deployer);
    for (const r of ["honestRequester", "cheatedRequester", "honest", "cheater", "watcher"] as const) {
      await send(admin, mint(addresses, addressOf(r), 1_000_000n * TOKEN));
    }
    const honestRequester = client(await signer("honestRequester"));
    const cheatedRequester = client(await signer("cheatedRequester"));
    for (const c of [honestRequester, cheatedRequester]) {
      await send(c, approve(addresses, addresses.jobManager, 1_000_000n * TOKEN));
    }
    o.log(`deployed; model ${modelId} registered (window ${o.challengeWindow} s, response ${o.responseWindow} s)`);

    const pub = deployer.public;
    const obs = new ChainObserver(
      pub,
      [addresses.jobManager, addresses.disputeGame],
      [...jobManagerAbi, ...disputeGameAbi] as Abi,
      (await pub.getBlockNumber({ cacheTime: 0 })) + 1n,
      o.observeIntervalMs,
    );
    observer = obs;
    obs.start();

    const common = ["--poll-interval", String(o.pollIntervalMs), "--confirmations", String(o.confirmations)];
    const start = (name: string, role: Role, args: readonly string[]) => {
      const d = new BenchDaemon(
        name,
        [...args, "--deployment", deploymentFile, "--model", w.modelFile, "--db", join(o.workDir, `${name}.sqlite`)],
        { REFUTE_RPC_URL: anvil.rpcUrl, REFUTE_PRIVATE_KEY: keyOf(role), REFUTE_LOG_LEVEL: "info" },
        join(o.workDir, "logs", `${name}.log`),
      );
      daemons.push(d);
      return d;
    };
    const provider = (extra: readonly string[]) => [
      "provide",
      "--trace-port",
      "0",
      "--stake",
      STAKE.toString(),
      "--max-batch",
      String(MAX_BATCH),
      "--batch-wait",
      String(BATCH_WAIT_MS),
      ...common,
      ...extra,
    ];
    const honest = start("honest-provider", "honest", provider(["--requester", addressOf("honestRequester")]));
    const cheater = start(
      "cheating-provider",
      "cheater",
      provider(["--requester", addressOf("cheatedRequester"), "--fault", o.faults.join(","), "--fault-rate", "1"]),
    );
    const watcher = start("watcher", "watcher", ["watch", "--sampling-rate", "1", "--concurrency", "1", ...common]);
    await Promise.all([
      honest.waitFor("trace server listening", 180_000),
      cheater.waitFor("trace server listening", 180_000),
      watcher.waitFor("watcher starting", 180_000),
    ]);
    await Promise.all([
      waitForStake(pub, { stakeManager: addresses.stakeManager, provider: addressOf("honest"), stake: STAKE, daemon: honest }),
      waitForStake(pub, { stakeManager: addresses.stakeManager, provider: addressOf("cheater"), stake: STAKE, daemon: cheater }),
    ]);
    o.log(`daemons up (pids ${daemons.map((d) => `${d.name} ${d.pid}`).join(", ")})`);

    const nonces = new Map<RefuteClient, number>();
    for (const c of [honestRequester, cheatedRequester]) {
      nonces.set(c, await pub.getTransactionCount({ address: c.wallet.account.address, blockTag: "pending" }));
    }
    const request = async (route: "bad" | "honest", image: number): Promise<Hash> => {
      const c = route === "honest" ? honestRequester : cheatedRequester;
      const now = (await pub.getBlock()).timestamp;
      const call = requestJob(addresses, {
        modelId,
        input: pack(at(w.inputs, image % w.inputs.length)),
        fee: TOKEN,
        commitDeadline: now + 600n,
      });
      const nonce = nonces.get(c) ?? 0;
      nonces.set(c, nonce + 1);
      return c.wallet.writeContract({
        ...call,
        chain: c.wallet.chain,
        account: c.wallet.account,
        nonce,
        gas: 1_000_000n,
      });
    };
    const jobIdOf = async (hash: Hash): Promise<bigint> => {
      const receipt = await pub.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`request reverted (tx ${hash})`);
      const [ev] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
      if (ev === undefined) throw new Error(`request emitted no JobRequested (tx ${hash})`);
      return ev.args.jobId;
    };

    // Warm-up, not measured: one job per provider, so that the first re-execution
    // (the watcher's executor child process starting) and the first traces and
    // disputes do not fall on the measured jobs. Their cold-start time is reported.
    const warmStart = Date.now();
    const warmHonest = await jobIdOf(await request("honest", w.inputs.length - 1));
    const warmBad = await jobIdOf(await request("bad", w.inputs.length - 2));
    const isSlashed = (j: bigint) =>
      obs.events.some(
        (e) =>
          (e.eventName === "JobSlashed" || (e.eventName === "DisputeSettled" && e.args.fraud === true)) &&
          e.args.jobId === j,
      );
    const verified = (j: bigint) =>
      watcher.messages("job verified").some((l) => l.jobId !== undefined && String(l.jobId) === String(j));
    for (;;) {
      if (verified(warmHonest) && isSlashed(warmBad)) break;
      const dead = daemons.find((d) => !d.running);
      if (dead !== undefined) throw new Error(`${dead.name} exited during the warm-up\n${dead.tail()}`);
      if (Date.now() - warmStart > 300_000) throw new Error(`warm-up jobs not resolved within 300 s\n${watcher.tail()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const coldExecutorMs = Number(
      watcher.messages("job verified").find((l) => String(l.jobId) === String(warmHonest))?.ms ?? NaN,
    );
    o.log(`warm-up done in ${((Date.now() - warmStart) / 1000).toFixed(1)} s`);
    o.log(`sending ${o.badJobs} bad and ${o.honestJobs} honest jobs, ${o.paceMs} ms apart`);

    // Interleave: honest jobs spread evenly among the bad ones.
    const total = o.badJobs + o.honestJobs;
    const sent: { route: "bad" | "honest"; hash: Hash }[] = [];
    let h = 0;
    for (let i = 0; i < total; i++) {
      const wantHonest = Math.floor(((i + 1) * o.honestJobs) / total) > h;
      if (wantHonest) h++;
      const route = wantHonest ? "honest" : "bad";
      sent.push({ route, hash: await request(route, i) });
      await new Promise((r) => setTimeout(r, o.paceMs));
    }
    const bad = new Set<bigint>();
    const good = new Set<bigint>();
    for (const s of sent) (s.route === "bad" ? bad : good).add(await jobIdOf(s.hash));
    o.log(`requests mined; waiting for every bad job to be slashed and every honest job to finalize`);

    const slashedJobs = () =>
      new Set(
        obs.events
          .filter((e) => e.eventName === "JobSlashed" || (e.eventName === "DisputeSettled" && e.args.fraud === true))
          .map((e) => e.args.jobId as bigint),
      );
    const finalizedJobs = () => new Set(obs.named("JobFinalized").map((e) => e.args.jobId as bigint));
    const deadline = Date.now() + o.timeoutSec * 1000;
    let lastReport = 0;
    for (;;) {
      const s = slashedJobs();
      const f = finalizedJobs();
      const badLeft = [...bad].filter((j) => !s.has(j)).length;
      const goodLeft = [...good].filter((j) => !f.has(j)).length;
      if (badLeft === 0 && goodLeft === 0) break;
      const dead = daemons.find((d) => !d.running);
      if (dead !== undefined) throw new Error(`${dead.name} exited\n${dead.tail()}`);
      if (Date.now() > deadline) {
        o.log(`timed out with ${badLeft} bad jobs unslashed and ${goodLeft} honest jobs unfinalized`);
        break;
      }
      if (Date.now() - lastReport > 10_000) {
        o.log(`  ${bad.size - badLeft}/${bad.size} bad jobs slashed, ${good.size - goodLeft}/${good.size} honest finalized`);
        lastReport = Date.now();
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    // Let the observer take in the last block.
    await new Promise((r) => setTimeout(r, Math.max(200, o.observeIntervalMs * 3)));
    await obs.stop();

    const faultOf = new Map<bigint, string>();
    for (const l of cheater.messages("job committed")) {
      if (l.jobId !== undefined && typeof l.fault === "string") faultOf.set(BigInt(String(l.jobId)), l.fault);
    }
    const result = analyze(obs, bad, good, faultOf, addressOf("watcher"), o, started);
    return { ...result, warmup: { jobs: 2, coldExecutorMs: Number.isFinite(coldExecutorMs) ? coldExecutorMs : null } };
  } finally {
    await observer?.stop();
    await Promise.all(daemons.map((d) => d.stop()));
    await anvil.stop();
  }
}

function firstBy<K>(events: readonly ObservedEvent[], key: (e: ObservedEvent) => K | undefined): Map<K, ObservedEvent> {
  const out = new Map<K, ObservedEvent>();
  for (const e of events) {
    const k = key(e);
    if (k !== undefined && !out.has(k)) out.set(k, e);
  }
  return out;
}

function analyze(
  obs: ChainObserver,
  bad: ReadonlySet<bigint>,
  good: ReadonlySet<bigint>,
  faultOf: ReadonlyMap<bigint, string>,
  watcher: Address,
  o: LatencyOptions,
  started: number,
): Omit<LatencyResult, "warmup"> {
  const jobKey = (e: ObservedEvent) => e.args.jobId as bigint | undefined;
  const requested = firstBy(obs.named("JobRequested"), jobKey);
  const committed = firstBy(obs.named("JobCommitted"), jobKey);
  const finalized = firstBy(obs.named("JobFinalized"), jobKey);
  const slashed = firstBy(
    obs.events.filter(
      (e) => e.eventName === "JobSlashed" || (e.eventName === "DisputeSettled" && e.args.fraud === true),
    ),
    jobKey,
  );
  const challengeCommit = firstBy(obs.named("ChallengeCommitted"), (e) => e.args.id as bigint | undefined);
  // A challenge's job is known from its reveal; its time is that of its commit.
  const challengeOfJob = new Map<bigint, ObservedEvent>();
  for (const e of obs.named("ChallengeRevealed")) {
    if (String(e.args.challenger).toLowerCase() !== watcher.toLowerCase()) continue;
    const jobId = e.args.jobId as bigint;
    const c = challengeCommit.get(e.args.id as bigint);
    if (c === undefined) continue;
    const prev = challengeOfJob.get(jobId);
    if (prev === undefined || c.seenAtMs < prev.seenAtMs) challengeOfJob.set(jobId, c);
  }
  const ts = (e: ObservedEvent) => obs.blocks.get(e.blockNumber)?.timestamp ?? 0n;

  const toChallenge: number[] = [];
  const toSlash: number[] = [];
  const toChallengeChain: number[] = [];
  const toSlashChain: number[] = [];
  const perFault = new Map<string, { c: number[]; s: number[] }>();
  let badCommitted = 0;
  let badChallenged = 0;
  let badSlashed = 0;
  const unresolved: string[] = [];
  for (const j of bad) {
    const c = committed.get(j);
    if (c === undefined) {
      unresolved.push(`bad job ${j}: never committed`);
      continue;
    }
    badCommitted++;
    const f = faultOf.get(j) ?? "unknown";
    const entry = perFault.get(f) ?? { c: [], s: [] };
    perFault.set(f, entry);
    const ch = challengeOfJob.get(j);
    if (ch !== undefined) {
      badChallenged++;
      toChallenge.push(ch.seenAtMs - c.seenAtMs);
      toChallengeChain.push(Number(ts(ch) - ts(c)));
      entry.c.push(ch.seenAtMs - c.seenAtMs);
    } else unresolved.push(`bad job ${j} (${f}): not challenged by the watcher`);
    const s = slashed.get(j);
    if (s !== undefined) {
      badSlashed++;
      toSlash.push(s.seenAtMs - c.seenAtMs);
      toSlashChain.push(Number(ts(s) - ts(c)));
      entry.s.push(s.seenAtMs - c.seenAtMs);
    } else unresolved.push(`bad job ${j} (${f}): not slashed`);
  }

  const finality: number[] = [];
  const commitLatency: number[] = [];
  const windowChain: number[] = [];
  const finalizeLatency: number[] = [];
  let goodCommitted = 0;
  let goodFinalized = 0;
  let goodChallenged = 0;
  for (const j of good) {
    if (challengeOfJob.has(j)) goodChallenged++;
    const r = requested.get(j);
    const c = committed.get(j);
    if (c === undefined) {
      unresolved.push(`honest job ${j}: never committed`);
      continue;
    }
    goodCommitted++;
    if (r !== undefined) commitLatency.push(c.seenAtMs - r.seenAtMs);
    const windowEnd = BigInt(c.args.windowEnd as bigint | number);
    windowChain.push(Number(windowEnd - ts(c)));
    const f = finalized.get(j);
    if (f === undefined) {
      unresolved.push(`honest job ${j}: not finalized`);
      continue;
    }
    goodFinalized++;
    if (r !== undefined) finality.push(f.seenAtMs - r.seenAtMs);
    const open = obs.firstBlockAtOrAfter(windowEnd);
    if (open !== undefined) finalizeLatency.push(f.seenAtMs - open.seenAtMs);
  }

  const byFault: Record<string, { jobs: number; challengeP50Ms: number | null; slashP50Ms: number | null }> = {};
  for (const [f, e] of perFault) {
    byFault[f] = {
      jobs: Math.max(e.c.length, e.s.length),
      challengeP50Ms: e.c.length ? round(percentile(e.c, 50), 0) : null,
      slashP50Ms: e.s.length ? round(percentile(e.s, 50), 0) : null,
    };
  }

  return {
    latencyToChallengeMs: pct(toChallenge),
    latencyToSlashMs: pct(toSlash),
    latencyToChallengeChainSec: pct(toChallengeChain),
    latencyToSlashChainSec: pct(toSlashChain),
    byFault,
    badJobs: { requested: bad.size, committed: badCommitted, challenged: badChallenged, slashed: badSlashed },
    honestJobs: { requested: good.size, committed: goodCommitted, finalized: goodFinalized, challenged: goodChallenged },
    finality: {
      timeToFinalityMs: pct(finality),
      commitLatencyMs: pct(commitLatency),
      challengeWindowSec: o.challengeWindow,
      windowOnChainSec: pct(windowChain),
      finalizeTxLatencyMs: pct(finalizeLatency),
    },
    config: {
      blockTimeSec: o.blockTime,
      challengeWindowSec: o.challengeWindow,
      responseWindowSec: o.responseWindow,
      daemonPollIntervalMs: o.pollIntervalMs,
      confirmations: o.confirmations,
      watcherSamplingRate: 1,
      watcherConcurrency: 1,
      providerMaxBatch: MAX_BATCH,
      providerBatchWaitMs: BATCH_WAIT_MS,
      paceMs: o.paceMs,
      faults: o.faults,
      observerIntervalMs: o.observeIntervalMs,
    },
    samples: { challengeMs: toChallenge, slashMs: toSlash, finalityMs: finality },
    method:
      `Wall clock (ms) between the first observation of the block holding one event and of the block holding another, ` +
      `by a poller in the bench process (eth_blockNumber every ${o.observeIntervalMs} ms, then eth_getBlockByNumber and eth_getLogs). ` +
      `Challenge: JobCommitted → the watcher's ChallengeCommitted (same challenge id as the ChallengeRevealed naming the job). ` +
      `Slash: JobCommitted → JobSlashed/DisputeSettled(fraud). Finality: JobRequested → JobFinalized; commit latency JobRequested → JobCommitted; ` +
      `finalize latency: first block with timestamp ≥ windowEnd → JobFinalized. Resolution: one observer interval plus one RPC round trip.`,
    wallSec: round((Date.now() - started) / 1000, 1),
    observerErrors: obs.errors,
    unresolved,
  };
}
