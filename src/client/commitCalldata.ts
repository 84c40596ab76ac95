/**
 * The calldata of `commit` and `commitBatch`, encoded directly. A provider encodes one
 * of these for every job it serves, and viem's general ABI encoder (which walks the ABI
 * and builds the hex string piece by piece) costs a tenth of a small model's inference
 * on that path. The layout is the standard ABI encoding of these two signatures, and
 * test/client/commitCalldata.test.ts holds it equal to viem's for arbitrary arguments.
 *
 *   commit(uint256 jobId, bytes32 outputRoot, bytes output)
 *     selector ‖ jobId ‖ outputRoot ‖ 0x60 ‖ len ‖ output (zero-padded to words)
 *   commitBatch((uint256 jobId, bytes32 outputRoot, bytes output)[] commits)
 *     selector ‖ 0x20 ‖ n ‖ n offsets (from the first offset) ‖ n tuples as above
 */
import { hexToBytes, toFunctionSelector, type AbiFunction, type Hex } from "viem";
import { jobManagerAbi } from "../chain/abis.ts";
import { bytesHex } from "../tensor/hex.ts";

function selectorOf(name: "commit" | "commitBatch"): Uint8Array {
  const item = jobManagerAbi.find((x): x is AbiFunction & typeof x => x.type === "function" && x.name === name);
  if (item === undefined) throw new Error(`the JobManager ABI has no ${name}`);
  return hexToBytes(toFunctionSelector(item));
}

const COMMIT = selectorOf("commit");
const COMMIT_BATCH = selectorOf("commitBatch");
const WORD = 32;
const UINT256_MAX = (1n << 256n) - 1n;

/** One commit as the ABI call carries it (src/client/calls.ts): the output as hex. */
export interface CommitData {
  readonly jobId: bigint;
  readonly outputRoot: Hex;
  readonly output: Hex;
}

/** Output bytes of a hex string ("0x" and an even number of digits). */
const byteLength = (hex: Hex): number => (hex.length - 2) >>> 1;

const padded = (n: number): number => Math.ceil(n / WORD) * WORD;

/** Node's native hex decoder: several times faster than a JavaScript loop on this path. */
function bytesOf(hex: Hex): Buffer {
  const bytes = Buffer.from(hex.slice(2), "hex");
  // Node stops at the first character that is not a hex pair: a short result means bad hex.
  if (!hex.startsWith("0x") || bytes.length * 2 !== hex.length - 2) throw new RangeError(`${hex} is not hex bytes`);
  return bytes;
}

/** Bytes of one (jobId, outputRoot, output) tuple. */
const tupleSize = (c: CommitData): number => 4 * WORD + padded(byteLength(c.output));

function writeUint(buf: Uint8Array, at: number, value: bigint): void {
  if (value < 0n || value > UINT256_MAX) throw new RangeError(`jobId ${value} is not a uint256`);
  let v = value;
  for (let i = at + WORD - 1; v > 0n; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** A small non-negative integer (an offset or a length) into the word at `at`. */
function writeSize(buf: Uint8Array, at: number, n: number): void {
  new DataView(buf.buffer, buf.byteOffset + at + WORD - 8, 8).setBigUint64(0, BigInt(n));
}

function writeTuple(buf: Uint8Array, at: number, c: CommitData): void {
  writeUint(buf, at, c.jobId);
  const root = bytesOf(c.outputRoot);
  if (root.length !== WORD) throw new RangeError(`outputRoot ${c.outputRoot} is not 32 bytes`);
  buf.set(root, at + WORD);
  writeSize(buf, at + 2 * WORD, 3 * WORD);
  const output = bytesOf(c.output);
  writeSize(buf, at + 3 * WORD, output.length);
  buf.set(output, at + 4 * WORD);
}

/** `commit(jobId, outputRoot, output)`: the same bytes as viem's encodeFunctionData. */
export function encodeCommit(jobId: bigint, outputRoot: Hex, output: Hex): Hex {
  const c = { jobId, outputRoot, output };
  const buf = new Uint8Array(4 + tupleSize(c));
  buf.set(COMMIT, 0);
  writeTuple(buf, 4, c);
  return bytesHex(buf);
}

/** `commitBatch(commits)`: the same bytes as viem's encodeFunctionData. */
export function encodeCommitBatch(commits: readonly CommitData[]): Hex {
  const n = commits.length;
  let size = 4 + 2 * WORD + n * WORD;
  for (const c of commits) size += tupleSize(c);
  const buf = new Uint8Array(size);
  buf.set(COMMIT_BATCH, 0);
  writeSize(buf, 4, WORD);
  writeSize(buf, 4 + WORD, n);
  const heads = 4 + 2 * WORD;
  let offset = n * WORD;
  commits.forEach((c, i) => {
    writeSize(buf, heads + i * WORD, offset);
    writeTuple(buf, heads + offset, c);
    offset += tupleSize(c);
  });
  return bytesHex(buf);
}
