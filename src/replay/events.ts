/**
 * A job's history as the chain tells it: every JobManager and DisputeGame event about
 * the job and its challenges, decoded and in chain order. Read with `eth_getLogs`
 * by indexed topics only (no contract state), so an auditor needs nothing but an RPC.
 */
import {
  decodeEventLog,
  numberToHex,
  pad,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
  type RpcLog,
} from "viem";
import { disputeGameAbi, jobManagerAbi } from "../chain/abis.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";

interface EventBase {
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: Hash;
  /** Block timestamp (seconds). */
  readonly timestamp: bigint;
}

export type JobEvent = EventBase &
  (
    | {
        readonly kind: "JobRequested";
        readonly modelId: Hex;
        readonly requester: Address;
        readonly inputRoot: Hex;
        readonly input: Hex;
        readonly inputUri: string;
        readonly fee: bigint;
        readonly commitDeadline: bigint;
      }
    | {
        readonly kind: "JobCommitted";
        readonly provider: Address;
        readonly commitmentHash: Hex;
        readonly outputRoot: Hex;
        readonly output: Hex;
        readonly windowEnd: bigint;
      }
    | { readonly kind: "JobDisputed" }
    | { readonly kind: "JobReleased" }
    | { readonly kind: "JobFinalized"; readonly provider: Address; readonly fee: bigint }
    | { readonly kind: "JobSlashed"; readonly provider: Address; readonly collateral: bigint; readonly refund: bigint }
    | { readonly kind: "JobExpired"; readonly requester: Address; readonly refund: bigint }
    | { readonly kind: "CallbackFailed"; readonly consumer: Address }
    | {
        readonly kind: "ChallengeCommitted";
        readonly id: bigint;
        readonly challenger: Address;
        readonly commitment: Hex;
      }
    | {
        readonly kind: "ChallengeRevealed";
        readonly id: bigint;
        readonly challenger: Address;
        readonly commitmentHash: Hex;
        readonly bond: bigint;
      }
    | { readonly kind: "RootsPosted"; readonly nodeRoots: readonly Hex[] }
    | { readonly kind: "NodeSelected"; readonly id: bigint; readonly node: number; readonly wordCount: number }
    | { readonly kind: "WholeRevealed"; readonly id: bigint; readonly words: readonly Hex[] }
    | {
        readonly kind: "ChildrenRevealed";
        readonly id: bigint;
        readonly level: number;
        readonly index: number;
        readonly children: readonly Hex[];
      }
    | { readonly kind: "ChildChosen"; readonly id: bigint; readonly index: number }
    | {
        readonly kind: "StepChecked";
        readonly id: bigint;
        readonly outIndex: bigint;
        readonly claimed: bigint;
        readonly recomputed: bigint;
      }
    | {
        readonly kind: "FloatStepChecked";
        readonly id: bigint;
        readonly outIndex: bigint;
        readonly claimed: bigint;
        /** 0 ADMISSIBLE, 1 VIOLATES, 2 UNCHECKED (docs/PROTOCOL.md §11.3). */
        readonly verdict: number;
      }
    | { readonly kind: "ChallengeResolved"; readonly id: bigint; readonly outcome: number; readonly reason: number }
    | { readonly kind: "DisputeSettled"; readonly fraud: boolean; readonly winner: bigint; readonly bounty: bigint }
    | { readonly kind: "Credited"; readonly account: Address; readonly reason: number; readonly amount: bigint }
  );

export type JobEventKind = JobEvent["kind"];

/** Events whose first indexed topic is the job id. */
const JOB_TOPIC1 = new Set<JobEventKind>([
  "JobRequested",
  "JobCommitted",
  "JobDisputed",
  "JobReleased",
  "JobFinalized",
  "JobSlashed",
  "JobExpired",
  "CallbackFailed",
  "RootsPosted",
  "DisputeSettled",
]);
/** Events whose second indexed topic is the job id (the first is the challenge id, or Credited's account). */
const JOB_TOPIC2 = new Set<JobEventKind>(["ChallengeRevealed", "NodeSelected", "ChallengeResolved", "Credited"]);
/** Events whose first indexed topic is a challenge id. */
const CHALLENGE_TOPIC1 = new Set<JobEventKind>([
  "ChallengeCommitted",
  "ChallengeRevealed",
  "NodeSelected",
  "WholeRevealed",
  "ChildrenRevealed",
  "ChildChosen",
  "StepChecked",
  "FloatStepChecked",
  "ChallengeResolved",
]);

export interface FetchJobEventsParameters {
  readonly client: PublicClient;
  readonly addresses: Pick<ProtocolAddresses, "jobManager" | "disputeGame">;
  readonly jobId: bigint;
  /** First block to search (the deployment block); 0 when unknown. */
  readonly fromBlock?: bigint;
  /** Widest block range per `eth_getLogs` call (public RPCs cap it). */
  readonly maxBlockRange?: bigint;
}

/** Every event of the job and of the challenges revealed against it, in chain order. */
export async function fetchJobEvents(p: FetchJobEventsParameters): Promise<JobEvent[]> {
  const toBlock = await p.client.getBlockNumber();
  const fromBlock = p.fromBlock ?? 0n;
  const range = p.maxBlockRange ?? 50_000n;
  const jobTopic = pad(numberToHex(p.jobId), { size: 32 });
  const get = (address: Address, topics: (Hex | Hex[] | null)[]) =>
    getLogsChunked(p.client, address, topics, fromBlock, toBlock, range);

  const [jmLogs, dgByJob1, dgByJob2] = await Promise.all([
    get(p.addresses.jobManager, [null, jobTopic]),
    get(p.addresses.disputeGame, [null, jobTopic]),
    get(p.addresses.disputeGame, [null, null, jobTopic]),
  ]);
  const raw: { log: RpcLog; kind: JobEventKind; args: Record<string, unknown> }[] = [];
  for (const log of jmLogs) {
    const d = decode(log, "jm");
    if (d && JOB_TOPIC1.has(d.kind)) raw.push({ log, ...d });
  }
  for (const log of dgByJob1) {
    const d = decode(log, "dg");
    if (d && JOB_TOPIC1.has(d.kind)) raw.push({ log, ...d });
  }
  const challengeIds = new Set<bigint>();
  for (const log of dgByJob2) {
    const d = decode(log, "dg");
    if (!d || !JOB_TOPIC2.has(d.kind)) continue;
    raw.push({ log, ...d });
    if (d.kind === "ChallengeRevealed") challengeIds.add(d.args["id"] as bigint);
  }
  if (challengeIds.size > 0) {
    const idTopics = [...challengeIds].map((id) => pad(numberToHex(id), { size: 32 }));
    const byId = await get(p.addresses.disputeGame, [null, idTopics]);
    for (const log of byId) {
      const d = decode(log, "dg");
      // Events with the job id in the second topic were collected above.
      if (d && CHALLENGE_TOPIC1.has(d.kind) && !JOB_TOPIC2.has(d.kind)) raw.push({ log, ...d });
    }
  }
  raw.sort(
    (a, b) =>
      cmp(BigInt(a.log.blockNumber ?? 0), BigInt(b.log.blockNumber ?? 0)) ||
      Number(a.log.logIndex) - Number(b.log.logIndex),
  );

  const timestamps = new Map<bigint, bigint>();
  for (const r of raw) {
    const n = BigInt(r.log.blockNumber ?? 0);
    if (!timestamps.has(n)) timestamps.set(n, (await p.client.getBlock({ blockNumber: n })).timestamp);
  }
  return raw.map((r) => toEvent(r.kind, r.args, r.log, timestamps.get(BigInt(r.log.blockNumber ?? 0)) ?? 0n));
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function getLogsChunked(
  client: PublicClient,
  address: Address,
  topics: (Hex | Hex[] | null)[],
  from: bigint,
  to: bigint,
  range: bigint,
): Promise<RpcLog[]> {
  const out: RpcLog[] = [];
  for (let start = from; start <= to; start += range) {
    const end = start + range - 1n < to ? start + range - 1n : to;
    const logs = await client.request({
      method: "eth_getLogs",
      params: [{ address, topics, fromBlock: numberToHex(start), toBlock: numberToHex(end) }],
    });
    out.push(...(logs as RpcLog[]));
  }
  return out;
}

function decode(log: RpcLog, which: "jm" | "dg"): { kind: JobEventKind; args: Record<string, unknown> } | undefined {
  try {
    const d = decodeEventLog({
      abi: which === "jm" ? jobManagerAbi : disputeGameAbi,
      data: log.data,
      topics: log.topics as [Hex, ...Hex[]],
    });
    return { kind: d.eventName as JobEventKind, args: (d.args ?? {}) as Record<string, unknown> };
  } catch {
    // Events of the same contract that this history does not use.
    return undefined;
  }
}

function toEvent(kind: JobEventKind, a: Record<string, unknown>, log: RpcLog, timestamp: bigint): JobEvent {
  const base: EventBase = {
    blockNumber: BigInt(log.blockNumber ?? 0),
    logIndex: Number(log.logIndex ?? 0),
    transactionHash: (log.transactionHash ?? "0x") as Hash,
    timestamp,
  };
  const big = (k: string) => a[k] as bigint;
  const hex = (k: string) => a[k] as Hex;
  const addr = (k: string) => a[k] as Address;
  switch (kind) {
    case "JobRequested":
      return {
        ...base,
        kind,
        modelId: hex("modelId"),
        requester: addr("requester"),
        inputRoot: hex("inputRoot"),
        input: hex("input"),
        inputUri: a["inputUri"] as string,
        fee: big("fee"),
        commitDeadline: BigInt(a["commitDeadline"] as bigint | number),
      };
    case "JobCommitted":
      return {
        ...base,
        kind,
        provider: addr("provider"),
        commitmentHash: hex("commitmentHash"),
        outputRoot: hex("outputRoot"),
        output: hex("output"),
        windowEnd: BigInt(a["windowEnd"] as bigint | number),
      };
    case "JobDisputed":
    case "JobReleased":
      return { ...base, kind };
    case "JobFinalized":
      return { ...base, kind, provider: addr("provider"), fee: big("fee") };
    case "JobSlashed":
      return { ...base, kind, provider: addr("provider"), collateral: big("collateral"), refund: big("refund") };
    case "JobExpired":
      return { ...base, kind, requester: addr("requester"), refund: big("refund") };
    case "CallbackFailed":
      return { ...base, kind, consumer: addr("consumer") };
    case "ChallengeCommitted":
      return { ...base, kind, id: big("id"), challenger: addr("challenger"), commitment: hex("commitment") };
    case "ChallengeRevealed":
      return {
        ...base,
        kind,
        id: big("id"),
        challenger: addr("challenger"),
        commitmentHash: hex("commitmentHash"),
        bond: big("bond"),
      };
    case "RootsPosted":
      return { ...base, kind, nodeRoots: a["nodeRoots"] as Hex[] };
    case "NodeSelected":
      return { ...base, kind, id: big("id"), node: Number(a["node"]), wordCount: Number(a["wordCount"]) };
    case "WholeRevealed":
      return { ...base, kind, id: big("id"), words: a["words"] as Hex[] };
    case "ChildrenRevealed":
      return {
        ...base,
        kind,
        id: big("id"),
        level: Number(a["level"]),
        index: Number(a["index"]),
        children: a["children"] as Hex[],
      };
    case "ChildChosen":
      return { ...base, kind, id: big("id"), index: Number(a["index"]) };
    case "StepChecked":
      return {
        ...base,
        kind,
        id: big("id"),
        outIndex: big("outIndex"),
        claimed: big("claimed"),
        recomputed: big("recomputed"),
      };
    case "FloatStepChecked":
      return {
        ...base,
        kind,
        id: big("id"),
        outIndex: big("outIndex"),
        claimed: big("claimed"),
        verdict: Number(a["verdict"]),
      };
    case "ChallengeResolved":
      return { ...base, kind, id: big("id"), outcome: Number(a["outcome"]), reason: Number(a["reason"]) };
    case "DisputeSettled":
      return { ...base, kind, fraud: a["fraud"] as boolean, winner: big("winner"), bounty: big("bounty") };
    case "Credited":
      return { ...base, kind, account: addr("account"), reason: Number(a["reason"]), amount: big("amount") };
  }
}
