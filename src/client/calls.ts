import type { Address, Hex } from "viem";
import { disputeGameAbi, jobManagerAbi, modelRegistryAbi, stakeManagerAbi, tokenAbi } from "../chain/abis.ts";
import { toAbiDescriptor, type NodeDescriptor } from "../graph/descriptor.ts";
import { toAbiModelSpec, type ModelSpec } from "../model/modelSpec.ts";
import { toAbiSpec, type TensorSpec } from "../tensor/spec.ts";
import type { RangeOpening } from "../tensor/commitment.ts";
import { bytesHex } from "../tensor/hex.ts";
import type { ProtocolAddresses } from "./contracts.ts";
import type { ContractCall } from "./send.ts";

/**
 * Builders of every protocol transaction: plain data, so the same call can be
 * simulated, sent directly, or journaled and re-sent by the daemons' transaction
 * sender. Each returns the call of one function (`ContractCall<abi, name>`), so
 * its arguments are checked against the ABI here, where the call is made.
 */

export const approve = (
  a: ProtocolAddresses,
  spender: Address,
  amount: bigint,
): ContractCall<typeof tokenAbi, "approve"> => ({
  address: a.token,
  abi: tokenAbi,
  functionName: "approve",
  args: [spender, amount],
});

export const mint = (a: ProtocolAddresses, to: Address, amount: bigint): ContractCall<typeof tokenAbi, "mint"> => ({
  address: a.token,
  abi: tokenAbi,
  functionName: "mint",
  args: [to, amount],
});

export const deposit = (a: ProtocolAddresses, amount: bigint): ContractCall<typeof stakeManagerAbi, "deposit"> => ({
  address: a.stakeManager,
  abi: stakeManagerAbi,
  functionName: "deposit",
  args: [amount],
});

export const registerModel = (
  a: ProtocolAddresses,
  spec: ModelSpec,
): ContractCall<typeof modelRegistryAbi, "register"> => ({
  address: a.modelRegistry,
  abi: modelRegistryAbi,
  functionName: "register",
  args: [toAbiModelSpec(spec)],
});

export interface RequestArgs {
  readonly modelId: Hex;
  readonly input: Uint8Array;
  readonly fee: bigint;
  readonly commitDeadline: bigint;
  readonly callback?: boolean;
}

export const requestJob = (a: ProtocolAddresses, r: RequestArgs): ContractCall<typeof jobManagerAbi, "request"> => ({
  address: a.jobManager,
  abi: jobManagerAbi,
  functionName: "request",
  args: [r.modelId, bytesHex(r.input), r.fee, r.commitDeadline, r.callback ?? false],
});

export interface RequestByUriArgs {
  readonly modelId: Hex;
  /** Tensor root of the input (docs/PROTOCOL.md §4). */
  readonly inputRoot: Hex;
  /** Where providers and watchers fetch the packed input (http or https). */
  readonly inputUri: string;
  readonly fee: bigint;
  readonly commitDeadline: bigint;
  readonly callback?: boolean;
}

/** A job whose input is too large to post: its root on-chain, its bytes at a URI. */
export const requestJobByUri = (
  a: ProtocolAddresses,
  r: RequestByUriArgs,
): ContractCall<typeof jobManagerAbi, "requestWithRoot"> => ({
  address: a.jobManager,
  abi: jobManagerAbi,
  functionName: "requestWithRoot",
  args: [r.modelId, r.inputRoot, r.inputUri, r.fee, r.commitDeadline, r.callback ?? false],
});

export interface CommitArgs {
  readonly jobId: bigint;
  readonly outputRoot: Hex;
  readonly output: Uint8Array;
}

export const commitJob = (a: ProtocolAddresses, c: CommitArgs): ContractCall<typeof jobManagerAbi, "commit"> => ({
  address: a.jobManager,
  abi: jobManagerAbi,
  functionName: "commit",
  args: [c.jobId, c.outputRoot, bytesHex(c.output)],
});

export const commitBatch = (
  a: ProtocolAddresses,
  commits: readonly CommitArgs[],
): ContractCall<typeof jobManagerAbi, "commitBatch"> => ({
  address: a.jobManager,
  abi: jobManagerAbi,
  functionName: "commitBatch",
  args: [commits.map((c) => ({ jobId: c.jobId, outputRoot: c.outputRoot, output: bytesHex(c.output) }))],
});

export const finalizeJob = (a: ProtocolAddresses, jobId: bigint): ContractCall<typeof jobManagerAbi, "finalize"> => ({
  address: a.jobManager,
  abi: jobManagerAbi,
  functionName: "finalize",
  args: [jobId],
});

/** Finalizes several jobs in one transaction (each past its window, none frozen). */
export const finalizeBatch = (
  a: ProtocolAddresses,
  jobIds: readonly bigint[],
): ContractCall<typeof jobManagerAbi, "finalizeBatch"> => ({
  address: a.jobManager,
  abi: jobManagerAbi,
  functionName: "finalizeBatch",
  args: [jobIds],
});

/**
 * Commits a challenge on a job of `modelId` without naming the job. The game pulls the
 * model's challenger bond here, so the DisputeGame must be approved for it first; the
 * commitment must be revealed within `revealWindow()` blocks or it can be forfeited.
 */
export const commitChallenge = (
  a: ProtocolAddresses,
  modelId: Hex,
  commitment: Hex,
): ContractCall<typeof disputeGameAbi, "commitChallenge"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "commitChallenge",
  args: [modelId, commitment],
});

/** Sends an unrevealed commitment's bond to the treasury once its reveal window passed (anyone may). */
export const forfeitCommitment = (
  a: ProtocolAddresses,
  id: bigint,
): ContractCall<typeof disputeGameAbi, "forfeitCommitment"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "forfeitCommitment",
  args: [id],
});

/**
 * Takes an unrevealed commitment's bond back when its reveal can no longer pass through
 * no fault of the challenger: fraud was established by someone else, or the job's
 * commitment hash changed.
 */
export const reclaimCommitment = (
  a: ProtocolAddresses,
  id: bigint,
  jobId: bigint,
  commitmentHash: Hex,
  salt: Hex,
): ContractCall<typeof disputeGameAbi, "reclaimCommitment"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "reclaimCommitment",
  args: [id, jobId, commitmentHash, salt],
});

/** Resolves a challenge moot: fraud is established and a challenge with a smaller id won (anyone may). */
export const moot = (a: ProtocolAddresses, id: bigint): ContractCall<typeof disputeGameAbi, "moot"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "moot",
  args: [id],
});

/** Withdraws the sender's `claimable` balance of the DisputeGame to itself. */
export const withdraw = (a: ProtocolAddresses): ContractCall<typeof disputeGameAbi, "withdraw"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "withdraw",
  args: [],
});

/** Withdraws the sender's `claimable` balance of the DisputeGame to `to`. */
export const withdrawTo = (a: ProtocolAddresses, to: Address): ContractCall<typeof disputeGameAbi, "withdrawTo"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "withdrawTo",
  args: [to],
});

export const revealChallenge = (
  a: ProtocolAddresses,
  id: bigint,
  jobId: bigint,
  commitmentHash: Hex,
  salt: Hex,
): ContractCall<typeof disputeGameAbi, "revealChallenge"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "revealChallenge",
  args: [id, jobId, commitmentHash, salt],
});

export const postRoots = (
  a: ProtocolAddresses,
  jobId: bigint,
  roots: readonly Hex[],
): ContractCall<typeof disputeGameAbi, "postRoots"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "postRoots",
  args: [jobId, roots],
});

export const selectNode = (
  a: ProtocolAddresses,
  id: bigint,
  nodeIndex: number,
  node: NodeDescriptor,
  proof: readonly Hex[],
  roots: readonly Hex[],
): ContractCall<typeof disputeGameAbi, "selectNode"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "selectNode",
  args: [id, nodeIndex, toAbiDescriptor(node), proof, roots],
});

/** One word of a node's output opened against its data root (`IDisputeGame.WordOpening`). */
export interface WordOpeningArgs {
  readonly dataRoot: Hex;
  readonly wordIndex: number;
  readonly word: Hex;
  readonly proof: readonly Hex[];
}

export const selectElement = (
  a: ProtocolAddresses,
  id: bigint,
  nodeIndex: number,
  node: NodeDescriptor,
  proof: readonly Hex[],
  roots: readonly Hex[],
  opening: WordOpeningArgs,
): ContractCall<typeof disputeGameAbi, "selectElement"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "selectElement",
  args: [
    id,
    nodeIndex,
    toAbiDescriptor(node),
    proof,
    roots,
    { dataRoot: opening.dataRoot, wordIndex: BigInt(opening.wordIndex), word: opening.word, proof: opening.proof },
  ],
});

export const revealWhole = (
  a: ProtocolAddresses,
  id: bigint,
  output: TensorSpec,
  words: readonly Hex[],
): ContractCall<typeof disputeGameAbi, "revealWhole"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "revealWhole",
  args: [id, toAbiSpec(output), words],
});

export const revealChildren = (
  a: ProtocolAddresses,
  id: bigint,
  output: TensorSpec,
  dataRoot: Hex,
  children: readonly Hex[],
): ContractCall<typeof disputeGameAbi, "revealChildren"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "revealChildren",
  args: [id, toAbiSpec(output), dataRoot, children],
});

export const chooseChild = (
  a: ProtocolAddresses,
  id: bigint,
  children: readonly Hex[],
  index: number,
): ContractCall<typeof disputeGameAbi, "chooseChild"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "chooseChild",
  args: [id, children, BigInt(index)],
});

export interface OneStepProofArgs {
  readonly node: NodeDescriptor;
  readonly nodeRoots: readonly Hex[];
  readonly outIndex: number;
  readonly outWordIndex: number;
  readonly outWord: Hex;
  readonly outProof: readonly Hex[];
  /** Exact integer profile: the §6.1 openings; empty for a float32 model. */
  readonly operands: readonly RangeOpening[];
  /** Float32 profile: `abi.encode(NumericsPolicy, bytes operands)` (docs/PROTOCOL.md §11.10); absent ("0x") for an exact integer model. */
  readonly floatProof?: Hex;
}

export const proveStep = (
  a: ProtocolAddresses,
  id: bigint,
  p: OneStepProofArgs,
): ContractCall<typeof disputeGameAbi, "proveStep"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "proveStep",
  args: [
    id,
    {
      node: toAbiDescriptor(p.node),
      nodeRoots: p.nodeRoots,
      outIndex: BigInt(p.outIndex),
      outWordIndex: BigInt(p.outWordIndex),
      outWord: p.outWord,
      outProof: p.outProof,
      operands: p.operands.map((o) => ({ firstWord: BigInt(o.firstWord), words: o.words, proof: o.proof })),
      floatProof: p.floatProof ?? "0x",
    },
  ],
});

export const timeoutChallenge = (a: ProtocolAddresses, id: bigint): ContractCall<typeof disputeGameAbi, "timeout"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "timeout",
  args: [id],
});

export const settleDispute = (a: ProtocolAddresses, jobId: bigint): ContractCall<typeof disputeGameAbi, "settle"> => ({
  address: a.disputeGame,
  abi: disputeGameAbi,
  functionName: "settle",
  args: [jobId],
});
