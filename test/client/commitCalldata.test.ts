/**
 * The direct encoder of `commit` and `commitBatch` (src/client/commitCalldata.ts) gives
 * the bytes of viem's ABI encoder for arbitrary arguments, and `calldataOf` routes the
 * two calls to it, so a provider's transactions carry exactly what the ABI says.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesToHex, encodeFunctionData, type Hex } from "viem";
import { jobManagerAbi } from "../../src/chain/abis.ts";
import { commitBatch, commitJob, type CommitArgs } from "../../src/client/calls.ts";
import { encodeCommit, encodeCommitBatch } from "../../src/client/commitCalldata.ts";
import type { ProtocolAddresses } from "../../src/client/contracts.ts";
import { calldataOf } from "../../src/client/send.ts";
import { Rng } from "../../src/vectors/rng.ts";

const A = "0x00000000000000000000000000000000000000aa";
const ADDRESSES: ProtocolAddresses = {
  token: A,
  stakeManager: A,
  modelRegistry: A,
  jobManager: A,
  disputeGame: A,
  oneStepVerifier: A,
};

function randomCommit(rng: Rng): CommitArgs {
  // Job ids of every size, from 0 up to 256 bits.
  const jobId = rng.bigintIn(0n, (1n << BigInt(rng.int(257))) - 1n);
  const output = new Uint8Array(rng.int(101));
  for (let i = 0; i < output.length; i++) output[i] = rng.int(256);
  const root = new Uint8Array(32);
  for (let i = 0; i < 32; i++) root[i] = rng.int(256);
  return { jobId, outputRoot: bytesToHex(root), output };
}

const viemCommit = (c: CommitArgs): Hex =>
  encodeFunctionData({
    abi: jobManagerAbi,
    functionName: "commit",
    args: [c.jobId, c.outputRoot, bytesToHex(c.output)],
  });

const viemBatch = (cs: readonly CommitArgs[]): Hex =>
  encodeFunctionData({
    abi: jobManagerAbi,
    functionName: "commitBatch",
    args: [cs.map((c) => ({ jobId: c.jobId, outputRoot: c.outputRoot, output: bytesToHex(c.output) }))],
  });

test("commit: the direct encoding equals viem's for 500 random arguments", () => {
  const rng = new Rng(17);
  for (let i = 0; i < 500; i++) {
    const c = randomCommit(rng);
    const expected = viemCommit(c);
    assert.equal(encodeCommit(c.jobId, c.outputRoot, bytesToHex(c.output)), expected);
    assert.equal(calldataOf(commitJob(ADDRESSES, c)), expected);
  }
});

test("commitBatch: the direct encoding equals viem's for batches of 0 to 40 commits", () => {
  const rng = new Rng(18);
  for (let n = 0; n <= 40; n++) {
    const cs = Array.from({ length: n }, () => randomCommit(rng));
    const expected = viemBatch(cs);
    const hexed = cs.map((c) => ({ jobId: c.jobId, outputRoot: c.outputRoot, output: bytesToHex(c.output) }));
    assert.equal(encodeCommitBatch(hexed), expected, `batch of ${n}`);
    assert.equal(calldataOf(commitBatch(ADDRESSES, cs)), expected, `batch of ${n}`);
  }
});

test("edge values: the largest jobId, empty and word-sized outputs", () => {
  const max = (1n << 256n) - 1n;
  const root = `0x${"ff".repeat(32)}` as Hex;
  for (const len of [0, 1, 31, 32, 33, 64]) {
    const c: CommitArgs = { jobId: max, outputRoot: root, output: new Uint8Array(len).fill(0xee) };
    assert.equal(calldataOf(commitJob(ADDRESSES, c)), viemCommit(c), `output of ${len} bytes`);
  }
});

test("arguments outside the ABI's types are refused, as viem refuses them", () => {
  const root = `0x${"11".repeat(32)}` as Hex;
  assert.throws(() => encodeCommit(1n << 256n, root, "0x"), /not a uint256/);
  assert.throws(() => encodeCommit(-1n, root, "0x"), /not a uint256/);
  assert.throws(() => encodeCommit(1n, "0x1234", "0x"), /not 32 bytes/);
  assert.throws(() => viemCommit({ jobId: 1n << 256n, outputRoot: root, output: new Uint8Array() }));
});

test("hex that is not whole bytes is refused", () => {
  const root = `0x${"11".repeat(32)}` as Hex;
  assert.throws(() => encodeCommit(1n, root, "0x123"), /not hex bytes/);
  assert.throws(() => encodeCommit(1n, root, "0x12zz"), /not hex bytes/);
  assert.throws(() => encodeCommit(1n, `0x${"g1".repeat(32)}`, "0x"), /not hex bytes/);
});
