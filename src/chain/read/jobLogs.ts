/**
 * JobRequested and JobCommitted logs decoded directly from their ABI layout. A watcher
 * catching up reads thousands of these at once, each carrying a job's input or output,
 * and viem's general decoder (which walks the ABI, converts every field to bytes and
 * back) was most of the time it spent on them. Here the fields are cut out of the hex
 * text: `bytes` stay hex, as viem gives them. test/chain/jobLogs.test.ts holds the
 * result equal to viem's decodeEventLog for arbitrary logs.
 *
 * Strict as viem's `strict: true`: a log whose data does not decode (offsets or lengths
 * outside it, a wrong topic count) is left out, never half-read.
 */
import {
  formatLog,
  getAbiItem,
  getAddress,
  numberToHex,
  toEventSelector,
  type Address,
  type Client,
  type Hex,
  type RpcLog,
} from "viem";
import { jobManagerAbi } from "../abis.ts";
import type { JobCommittedLog, JobRequestedLog } from "./jobEvents.ts";
import { blockRange, type BlockRange } from "./range.ts";

const JOB_REQUESTED = toEventSelector(getAbiItem({ abi: jobManagerAbi, name: "JobRequested" }));
const JOB_COMMITTED = toEventSelector(getAbiItem({ abi: jobManagerAbi, name: "JobCommitted" }));

/** The fields of a log the decoder reads; the rest (block, transaction, index) is carried over. */
export interface RawLog {
  readonly topics: readonly Hex[];
  readonly data: Hex;
  readonly blockNumber: bigint | null;
  readonly blockHash: Hex | null;
  readonly transactionHash: Hex | null;
  readonly transactionIndex: number | null;
  readonly logIndex: number | null;
  readonly address: Address;
  readonly removed: boolean;
}

/** 32 bytes as hex digits. */
const W = 64;

/** Word `i` of the data (hex digits, no 0x), or undefined past its end. */
function word(data: string, i: number): string | undefined {
  const at = 2 + i * W;
  return data.length >= at + W ? data.slice(at, at + W) : undefined;
}

/** A word as a safe integer (offsets and lengths), or undefined when it is larger. */
function size(w: string | undefined): number | undefined {
  if (w === undefined || !/^0{48}/.test(w)) return undefined;
  const n = parseInt(w.slice(48), 16);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The dynamic `bytes` (or string, as hex) whose head is at word `head`. */
function dynamicHex(data: string, head: number): Hex | undefined {
  const offset = size(word(data, head));
  if (offset === undefined || offset % 32 !== 0) return undefined;
  const length = size(word(data, offset / 32));
  if (length === undefined) return undefined;
  const start = 2 + offset * 2 + W;
  const end = start + length * 2;
  if (data.length < end) return undefined;
  return `0x${data.slice(start, end)}`;
}

const uint = (w: string | undefined): bigint | undefined => (w === undefined ? undefined : BigInt(`0x${w}`));
const bytes32 = (w: string | undefined): Hex | undefined => (w === undefined ? undefined : `0x${w}`);
/** An address topic or word: the low 20 bytes, checksummed by the caller when needed. */
const address = (w: string | undefined): Address | undefined =>
  w === undefined || !/^0{24}/.test(w) ? undefined : (`0x${w.slice(24)}` as Address);

const topicWord = (t: Hex | undefined): string | undefined =>
  t !== undefined && t.length === 2 + W ? t.slice(2).toLowerCase() : undefined;

function utf8(hex: Hex): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(hex.slice(2), "hex"));
  } catch {
    return undefined;
  }
}

/** A JobRequested log, or undefined when it is not one that decodes. */
export function decodeJobRequested(log: RawLog): JobRequestedLog | undefined {
  if (log.topics.length !== 4 || log.topics[0]?.toLowerCase() !== JOB_REQUESTED) return undefined;
  const d = log.data.toLowerCase();
  const jobId = uint(topicWord(log.topics[1]));
  const modelId = bytes32(topicWord(log.topics[2]));
  const requester = address(topicWord(log.topics[3]));
  const inputRoot = bytes32(word(d, 0));
  const input = dynamicHex(d, 1);
  const uriHex = dynamicHex(d, 2);
  const fee = uint(word(d, 3));
  const deadlineWord = word(d, 4);
  const inputUri = uriHex === undefined ? undefined : utf8(uriHex);
  if (
    jobId === undefined ||
    modelId === undefined ||
    requester === undefined ||
    inputRoot === undefined ||
    input === undefined ||
    inputUri === undefined ||
    fee === undefined ||
    deadlineWord === undefined ||
    !/^0{48}/.test(deadlineWord)
  )
    return undefined;
  const commitDeadline = BigInt(`0x${deadlineWord}`);
  return {
    ...log,
    eventName: "JobRequested",
    args: { jobId, modelId, requester: checksum(requester), inputRoot, input, inputUri, fee, commitDeadline },
  } as unknown as JobRequestedLog;
}

/** A JobCommitted log, or undefined when it is not one that decodes. */
export function decodeJobCommitted(log: RawLog): JobCommittedLog | undefined {
  if (log.topics.length !== 3 || log.topics[0]?.toLowerCase() !== JOB_COMMITTED) return undefined;
  const d = log.data.toLowerCase();
  const jobId = uint(topicWord(log.topics[1]));
  const provider = address(topicWord(log.topics[2]));
  const commitmentHash = bytes32(word(d, 0));
  const outputRoot = bytes32(word(d, 1));
  const output = dynamicHex(d, 2);
  const windowWord = word(d, 3);
  if (
    jobId === undefined ||
    provider === undefined ||
    commitmentHash === undefined ||
    outputRoot === undefined ||
    output === undefined ||
    windowWord === undefined ||
    !/^0{48}/.test(windowWord)
  )
    return undefined;
  const windowEnd = BigInt(`0x${windowWord}`);
  return {
    ...log,
    eventName: "JobCommitted",
    args: { jobId, provider: checksum(provider), commitmentHash, outputRoot, output, windowEnd },
  } as unknown as JobCommittedLog;
}

/**
 * Requests and commits of the range in one query (the two event signatures as
 * alternatives of the first topic), in chain order, decoded here.
 */
export async function getJobRequestedAndCommittedLogs(
  client: Client,
  p: BlockRange & { readonly address: Address },
): Promise<(JobRequestedLog | JobCommittedLog)[]> {
  const range = blockRange(p);
  const raw: RpcLog[] = await client.request({
    method: "eth_getLogs",
    params: [
      {
        address: p.address,
        topics: [[JOB_REQUESTED, JOB_COMMITTED]],
        fromBlock: numberToHex(range.fromBlock),
        toBlock: range.toBlock === undefined ? "latest" : numberToHex(range.toBlock),
      },
    ],
  });
  const out: (JobRequestedLog | JobCommittedLog)[] = [];
  for (const rpcLog of raw) {
    const log = formatLog(rpcLog) as RawLog;
    const t0 = log.topics[0]?.toLowerCase();
    const decoded =
      t0 === JOB_REQUESTED ? decodeJobRequested(log) : t0 === JOB_COMMITTED ? decodeJobCommitted(log) : undefined;
    if (decoded !== undefined) out.push(decoded);
  }
  return out;
}

/** viem's checksummed form, kept per address (a daemon sees few distinct requesters and providers). */
function checksum(a: Address): Address {
  let c = checksums.get(a);
  if (c === undefined) {
    c = getAddress(a);
    if (checksums.size > 10_000) checksums.clear();
    checksums.set(a, c);
  }
  return c;
}
const checksums = new Map<Address, Address>();
