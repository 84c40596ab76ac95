/**
 * Jobs and disputes played by hand against a local anvil with the call builders of
 * src/client/calls.ts (no daemons): the scenarios the replay tests judge.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createTestClient,
  encodeAbiParameters,
  http,
  keccak256,
  parseEventLogs,
  type Hex,
  type TestClient,
} from "viem";
import { disputeGameAbi, jobManagerAbi } from "../../src/chain/abis.ts";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import {
  approve,
  commitChallenge,
  commitJob,
  deposit,
  mint,
  postRoots,
  proveStep,
  requestJob,
  revealChallenge,
  revealWhole,
  selectNode,
  moot,
  timeoutChallenge,
  finalizeJob,
} from "../../src/client/calls.ts";
import type { ProtocolAddresses, RefuteClient } from "../../src/client/contracts.ts";
import { send, type ContractCall } from "../../src/client/send.ts";
import { deployToNetwork, writeDeploymentRecord } from "../../src/cli/deploy.ts";
import { connectSigner } from "../../src/cli/network.ts";
import { registerModelSpec } from "../../src/cli/register.ts";
import { readIdxImages } from "../../src/data/idx.ts";
import { quantizePixels } from "../../src/data/quantizeInput.ts";
import { keyOf, type Role } from "../../src/demo/accounts.ts";
import { withGasHeadroom } from "../../src/dispute/play.ts";
import { challengeCommitment } from "../../src/dispute/ticket.ts";
import { commitmentHashOf } from "../../src/model/commitment.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { modelIdFor, modelSpecFor } from "../../src/onnx/modelSpecFor.ts";
import { buildStepProof, divergentElement, firstDivergentNode } from "../../src/proof/dispute.ts";
import type { Commitment } from "../../src/dispute/faults.ts";
import { at } from "../../src/tensor/at.ts";
import { pack } from "../../src/tensor/packing.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { traceModel, type Trace } from "../../src/trace/trace.ts";
import { readFileSync } from "node:fs";

export const TOKEN = 10n ** 18n;
export const MODEL_FILE = new URL("../../models/fmnist-mlp.onnx", import.meta.url).pathname;
export const IMAGES_FILE = new URL("../../models/fmnist-mlp.eval-images.idx", import.meta.url).pathname;
export const WINDOW = 120n;
export const RESPONSE = 60n;

export interface Table {
  readonly anvil: AnvilNode;
  readonly addresses: ProtocolAddresses;
  readonly deploymentFile: string;
  readonly deployBlock: bigint;
  readonly compiled: CompiledModel;
  readonly modelId: Hex;
  readonly requester: RefuteClient;
  readonly provider: RefuteClient;
  readonly challenger: RefuteClient;
  readonly test: TestClient;
  stop(): Promise<void>;
}

async function clientOf(rpcUrl: string, role: Role, addresses: ProtocolAddresses): Promise<RefuteClient> {
  const s = await connectSigner(rpcUrl, keyOf(role), "local");
  return { public: s.public, wallet: s.wallet, addresses };
}

/** anvil, the protocol (deployed as `refute deploy` does), the shipped model with short windows, funded parties. */
export async function openTable(): Promise<Table> {
  const anvil = await startAnvil();
  const deployer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), "local");
  const record = await deployToNetwork({ signer: deployer, network: "local" });
  const deploymentFile = join(mkdtempSync(join(tmpdir(), "refute-replay-")), "local.json");
  writeDeploymentRecord(deploymentFile, record);
  const addresses = record.addresses;
  const compiled = compileModel(new Uint8Array(readFileSync(MODEL_FILE)));
  const options = {
    uri: "file://fmnist-mlp.onnx",
    params: {
      challengeWindow: WINDOW,
      responseWindow: RESPONSE,
      collateralPerJob: 100n * TOKEN,
      challengerBond: 10n * TOKEN,
    },
  };
  const modelId = modelIdFor(compiled, options);
  await registerModelSpec(deployer, addresses, modelSpecFor(compiled, options), modelId);

  const admin = { public: deployer.public, wallet: deployer.wallet, addresses };
  const requester = await clientOf(anvil.rpcUrl, "requester", addresses);
  const provider = await clientOf(anvil.rpcUrl, "honestProvider", addresses);
  const challenger = await clientOf(anvil.rpcUrl, "watcher", addresses);
  for (const c of [requester, provider, challenger])
    await send(admin, mint(addresses, c.wallet.account.address, 10_000n * TOKEN));
  await send(requester, approve(addresses, addresses.jobManager, 2n ** 255n));
  await send(provider, approve(addresses, addresses.stakeManager, 2n ** 255n));
  await send(provider, deposit(addresses, 5_000n * TOKEN));
  await send(challenger, approve(addresses, addresses.disputeGame, 2n ** 255n));
  const test = createTestClient({ mode: "anvil", transport: http(anvil.rpcUrl) });
  return {
    anvil,
    addresses,
    deploymentFile,
    deployBlock: record.deployBlock,
    compiled,
    modelId,
    requester,
    provider,
    challenger,
    test,
    stop: () => anvil.stop(),
  };
}

/** Image `index` of the shipped evaluation set, quantized as the model expects. */
export function imageInput(compiled: CompiledModel, index: number): Tensor {
  const images = readIdxImages(IMAGES_FILE);
  const size = images.rows * images.cols;
  return new Tensor({ ...compiled.input }, quantizePixels(images.pixels.subarray(index * size, (index + 1) * size)));
}

/** Requests a job on image `index`; returns its id and honest trace. */
export async function requestImage(t: Table, index: number): Promise<{ jobId: bigint; trace: Trace }> {
  const input = imageInput(t.compiled, index);
  const block = await t.requester.public.getBlock();
  const { receipt } = await send(
    t.requester,
    requestJob(t.addresses, {
      modelId: t.modelId,
      input: pack(input),
      fee: TOKEN,
      commitDeadline: block.timestamp + 600n,
    }),
  );
  const [log] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
  if (log === undefined) throw new Error("the request emitted no JobRequested");
  return { jobId: log.args.jobId, trace: await traceModel(t.compiled, input) };
}

/** The provider commits `c`; returns the commitment hash a challenge names. */
export async function commit(t: Table, jobId: bigint, c: Commitment): Promise<Hex> {
  await send(t.provider, commitJob(t.addresses, { jobId, outputRoot: c.outputRoot, output: c.outputPacked }));
  return commitmentHashOf(jobId, t.provider.wallet.account.address, c.outputRoot);
}

/** The challenger commits and reveals a challenge; returns its id. */
export async function challenge(t: Table, jobId: bigint, commitmentHash: Hex): Promise<bigint> {
  const salt = keccak256(encodeAbiParameters([{ type: "uint256" }], [jobId]));
  const commitment = challengeCommitment({
    jobId,
    modelId: t.modelId,
    commitmentHash,
    challenger: t.challenger.wallet.account.address,
    salt,
  });
  const { receipt } = await send(t.challenger, commitChallenge(t.addresses, t.modelId, commitment));
  const [log] = parseEventLogs({ abi: disputeGameAbi, logs: receipt.logs, eventName: "ChallengeCommitted" });
  if (log === undefined) throw new Error("the challenge commit emitted no ChallengeCommitted");
  // A reveal must come in a later block than its commit (and is simulated against the latest one).
  await t.test.mine({ blocks: 1 });
  await send(t.challenger, revealChallenge(t.addresses, log.args.id, jobId, commitmentHash, salt));
  return log.args.id;
}

export async function providerPostsRoots(t: Table, jobId: bigint, c: Commitment): Promise<void> {
  await move(t.provider, postRoots(t.addresses, jobId, c.nodeRoots));
}

/** The challenger names `node` (default: the first node that differs from its honest trace). */
export async function challengerSelects(
  t: Table,
  id: bigint,
  c: Commitment,
  honest: Trace,
  node?: number,
): Promise<number> {
  const i = node ?? firstDivergentNode(c.nodeRoots, honest.nodeRoots);
  if (i === undefined) throw new Error("the provider's roots are honest");
  await move(
    t.challenger,
    selectNode(t.addresses, id, i, at(t.compiled.nodes, i), t.compiled.graph.tree.rangeProof(i, i), c.nodeRoots),
  );
  return i;
}

/** The provider reveals node `node`'s whole output (every node of the shipped model is small). */
export async function providerRevealsWhole(t: Table, id: bigint, c: Commitment, node: number): Promise<Hex[]> {
  const words = wordsOf(c, node);
  await move(t.provider, revealWhole(t.addresses, id, at(t.compiled.nodes, node).output, words));
  return words;
}

/**
 * The challenger proves the first element of `node` that differs from its honest trace,
 * or element `element` when given (a right one loses the challenge: ElementMatches).
 */
export async function challengerProves(
  t: Table,
  id: bigint,
  c: Commitment,
  honest: Trace,
  node: number,
  words: readonly Hex[],
  element?: number,
): Promise<void> {
  const outIndex = element ?? divergentElement(at(t.compiled.nodes, node).output, words, 0, honest.commitment(node));
  if (outIndex === undefined) throw new Error("no element differs");
  const proof = buildStepProof({
    compiled: t.compiled,
    honest,
    nodeIndex: node,
    outIndex,
    providerRoots: c.nodeRoots,
    opening: { kind: "whole", words },
  });
  await move(t.challenger, proveStep(t.addresses, id, proof));
}

/** Plays a whole dispute of a wrong commitment: roots, node, whole reveal, proof. The job ends Slashed. */
export async function playFraudToTheEnd(t: Table, jobId: bigint, c: Commitment, honest: Trace): Promise<bigint> {
  const id = await challenge(t, jobId, commitmentHashOf(jobId, t.provider.wallet.account.address, c.outputRoot));
  await providerPostsRoots(t, jobId, c);
  const node = await challengerSelects(t, id, c, honest);
  const words = await providerRevealsWhole(t, id, c, node);
  await challengerProves(t, id, c, honest, node, words);
  return id;
}

export async function advance(t: Table, seconds: bigint): Promise<void> {
  await t.test.increaseTime({ seconds: Number(seconds) });
  await t.test.mine({ blocks: 1 });
}

export async function finalize(t: Table, jobId: bigint): Promise<void> {
  await send(t.requester, finalizeJob(t.addresses, jobId));
}

export async function timeout(t: Table, id: bigint): Promise<void> {
  await move(t.requester, timeoutChallenge(t.addresses, id));
}

/** Anyone (the requester here) resolves a challenge younger than the winner moot, which settles once none is open. */
export async function mootChallenge(t: Table, id: bigint): Promise<void> {
  await move(t.requester, moot(t.addresses, id));
}

function wordsOf(c: Commitment, node: number): Hex[] {
  const tc = c.commitment(node);
  return Array.from({ length: tc.wordCount }, (_, w) => tc.tree.leaf(w));
}

/**
 * Sends a dispute move with a gas limit above the node's estimate (withGasHeadroom):
 * blocks here carry wall-clock timestamps, so a move that rewrites a deadline in the
 * same second as the last one is estimated without that write and would run out of gas.
 */
async function move(client: RefuteClient, call: ContractCall): Promise<void> {
  await send(client, await withGasHeadroom(client, call));
}
