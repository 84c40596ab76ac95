/**
 * The committed gas snapshot (`npm run gas`): exact gas of the protocol's transactions
 * from receipts on a local anvil node — requests, commits (single and batched),
 * finalization, every dispute move and whole disputes on the shipped model — and of the
 * one-step check per opcode (src/bench/oneStepGas.ts, eth_estimateGas on its own fresh
 * anvil). Rewrites bench/gas.json and bench/gas-onestep-k4096-parts.json; commit them
 * with the change that moved a figure.
 *
 * The gas tests measure again and hold their figures to these files exactly
 * (test/dispute/gas.test.ts: whole disputes and the job calls; test/ops/gas.test.ts: the
 * one-step figures), so a gas change is always a visible diff of a committed file. No
 * test writes them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Hex, TransactionReceipt } from "viem";
import { parseEventLogs } from "viem";
import { measureFloatStepGas } from "../src/bench/floatStepGas.ts";
import { measureOneStepGas, openOneStepChain, type OneStepGas } from "../src/bench/oneStepGas.ts";
import { jobManagerAbi } from "../src/chain/abis.ts";
import { commitBatch, commitJob, finalizeJob, requestJob, settleDispute } from "../src/client/calls.ts";
import { send } from "../src/client/send.ts";
import {
  challengeOf,
  commitResult,
  disputeOf,
  jobOf,
  mineAt,
  mineBlock,
  now,
  openTable,
  registerCompiled,
  requestInference,
  type LocalTable,
} from "../test/harness/localTable.ts";
import { playChallenger, playProvider, type StepResult } from "../src/dispute/play.ts";
import type { MoveKind } from "../src/dispute/solver.ts";
import { commitTicket, revealTicket, type ChallengeTicket } from "../src/dispute/ticket.ts";
import { wideInput, wideModel } from "../test/harness/wideModel.ts";
import { quantizePixels } from "../src/data/quantizeInput.ts";
import { readIdxImages } from "../src/data/idx.ts";
import { compileModel, type CompiledModel } from "../src/onnx/compile.ts";
import {
  flippedElementAt,
  floatBiasedOutputs,
  forgeCommitment,
  honestCommitment,
  type Commitment,
} from "../src/dispute/faults.ts";
import { floatImage } from "../src/data/floatPixels.ts";
import { OutputsTrace } from "../src/trace/fromOutputs.ts";
import { pack } from "../src/tensor/packing.ts";
import { Tensor } from "../src/tensor/tensor.ts";
import { traceModel, type Trace } from "../src/trace/trace.ts";
import { Rng } from "../src/vectors/rng.ts";

/** The snapshot files `npm run gas` writes and the gas tests compare against. */
export const GAS_FILE = new URL("../bench/gas.json", import.meta.url);
export const ONE_STEP_PARTS_FILE = new URL("../bench/gas-onestep-k4096-parts.json", import.meta.url);

/** docs/PROTOCOL.md target for a whole dispute on the shipped model. */
export const TARGET = { maxTransactions: 6, maxGas: 1_500_000 } as const;

export interface MeasuredMove {
  readonly kind: MoveKind | "commitChallenge" | "revealChallenge";
  readonly gas: number;
}

export interface MeasuredDispute {
  readonly transactions: number;
  readonly gas: number;
  readonly moves: readonly MeasuredMove[];
}

/** The whole disputes of bench/gas.json's `fullDispute`, by name. */
export type FullDisputes = {
  readonly "wrong-output": MeasuredDispute;
  readonly "flipped-element@node1": MeasuredDispute;
  readonly "flipped-element@node0": MeasuredDispute;
};

export interface Shipped {
  readonly compiled: CompiledModel;
  readonly modelId: Hex;
  trace(image: number): Promise<Trace>;
}

const gasOf = (r: TransactionReceipt) => Number(r.gasUsed);

/** The shipped model, registered on `table`, with traces of its evaluation images. */
export async function loadShipped(table: LocalTable): Promise<Shipped> {
  const root = new URL("../models/", import.meta.url);
  const compiled = compileModel(new Uint8Array(readFileSync(new URL("fmnist-mlp.onnx", root))));
  const images = readIdxImages(new URL("fmnist-mlp.eval-images.idx", root).pathname);
  const modelId = await registerCompiled(table, compiled);
  const size = images.rows * images.cols;
  return {
    compiled,
    modelId,
    trace: (image) =>
      traceModel(
        compiled,
        new Tensor(compiled.input, quantizePixels(images.pixels.subarray(image * size, (image + 1) * size))),
      ),
  };
}

/**
 * One challenge of a wrong job played out by an honest challenger, counting every
 * transaction from the challenge commit to the settling move.
 */
export async function measureDispute(
  table: LocalTable,
  compiled: CompiledModel,
  modelId: Hex,
  trace: Trace | OutputsTrace,
  commitment: Commitment,
  seed: number,
  target?: { readonly nodeIndex: number; readonly outIndex: number },
): Promise<MeasuredDispute> {
  const rng = new Rng(seed);
  const jobId = await requestInference(table, modelId, trace.input);
  const commitmentHash = await commitResult(table, jobId, commitment);
  const client = table.challenger(0);
  const salt = `0x${Array.from({ length: 8 }, () => rng.u32().toString(16).padStart(8, "0")).join("")}` as Hex;
  const ticket: ChallengeTicket = {
    jobId,
    modelId,
    commitmentHash,
    challenger: client.wallet.account.address,
    salt,
  };
  const moves: MeasuredMove[] = [];
  const { id, receipt } = await commitTicket(client, ticket);
  moves.push({ kind: "commitChallenge", gas: gasOf(receipt) });
  await mineBlock(table);
  moves.push({ kind: "revealChallenge", gas: gasOf(await revealTicket(client, id, ticket)) });
  const record = (r: StepResult) => r.sent.forEach((s) => moves.push({ kind: s.move.kind, gas: gasOf(s.receipt) }));
  for (let round = 0; round < 32; round++) {
    const p = await playProvider(table.provider, jobId, commitment);
    const c = await playChallenger(client, id, compiled, target === undefined ? trace : { honest: trace, target });
    record(p);
    record(c);
    if ((await disputeOf(table, jobId)).settled) break;
    if (p.sent.length + c.sent.length === 0) {
      const { deadline } = await challengeOf(table, id);
      await mineAt(table, deadline + 1n);
    }
  }
  if (!(await disputeOf(table, jobId)).settled) throw new Error(`job ${jobId}: the dispute did not settle`);
  return { transactions: moves.length, gas: moves.reduce((a, m) => a + m.gas, 0), moves };
}

/**
 * The whole disputes the report and the gas test hold: on the shipped model, a
 * wrong output (proof at the last node, ArgMax) and one flipped element in an early
 * node (node 1, MatMulInteger with K = 784: the dearest proof of the model), each
 * after a warm-up dispute, so storage is in its steady state.
 */
export async function measureFullDisputes(table: LocalTable, shipped: Shipped): Promise<FullDisputes> {
  const { compiled, modelId } = shipped;
  const warm = await shipped.trace(0);
  await measureDispute(table, compiled, modelId, warm, forgeCommitment("wrong-output", compiled, warm, new Rng(1)), 1);
  const t1 = await shipped.trace(1);
  const wrongOutput = await measureDispute(
    table,
    compiled,
    modelId,
    t1,
    forgeCommitment("wrong-output", compiled, t1, new Rng(2)),
    2,
  );
  const t2 = await shipped.trace(2);
  const flippedNode1 = await measureDispute(
    table,
    compiled,
    modelId,
    t2,
    flippedElementAt(compiled, t2, 1, new Rng(3)),
    3,
  );
  const t3 = await shipped.trace(3);
  const flippedNode0 = await measureDispute(
    table,
    compiled,
    modelId,
    t3,
    flippedElementAt(compiled, t3, 0, new Rng(4)),
    4,
  );
  return {
    "wrong-output": wrongOutput,
    "flipped-element@node1": flippedNode1,
    "flipped-element@node0": flippedNode0,
  };
}

/** The whole disputes on the float32 CNN of bench/gas.json's `fullDispute`, by name. */
export type FloatDisputes = {
  readonly "cnn-bias@node0-conv": MeasuredDispute;
  readonly "cnn-bias@node3-conv": MeasuredDispute;
  readonly "cnn-bias@node7-gemm": MeasuredDispute;
  readonly "cnn-bias@node9-gemm": MeasuredDispute;
};

/**
 * Whole disputes on the shipped float32 CNN (docs/PROTOCOL.md §11.10): a provider whose trace
 * holds one element moved 2·B at a Conv or Gemm node (`float-bias`), disputed at that element
 * by a challenger that checked the provider's own trace, after a warm-up dispute.
 */
export async function measureFloatDisputes(table: LocalTable): Promise<FloatDisputes> {
  const root = new URL("../models/", import.meta.url);
  const compiled = compileModel(new Uint8Array(readFileSync(new URL("fmnist-cnn.onnx", root))));
  const images = readIdxImages(new URL("fmnist-mlp.eval-images.idx", root).pathname);
  const modelId = await registerCompiled(table, compiled);
  const one = async (image: number, node: number, seed: number): Promise<MeasuredDispute> => {
    const input = floatImage(images, compiled.input, image);
    const honest = await traceModel(compiled, input);
    const biased = floatBiasedOutputs(compiled, honest, new Rng(seed), { scale: 2, node });
    const forged = new OutputsTrace(input, biased.outputs);
    const target = { nodeIndex: biased.node, outIndex: biased.element };
    return measureDispute(table, compiled, modelId, forged, honestCommitment(forged), seed, target);
  };
  await one(0, 9, 10);
  return {
    "cnn-bias@node0-conv": await one(1, 0, 11),
    "cnn-bias@node3-conv": await one(2, 3, 12),
    "cnn-bias@node7-gemm": await one(3, 7, 13),
    "cnn-bias@node9-gemm": await one(4, 9, 14),
  };
}

/** The `fullDispute` record of bench/gas.json: per dispute its transactions, its gas and each move. */
export function fullDisputeRecord(disputes: Record<string, MeasuredDispute>) {
  return Object.fromEntries(
    Object.entries(disputes).map(([k, d]) => [
      k,
      { transactions: d.transactions, gas: d.gas, moves: d.moves.map((m) => `${m.kind} ${m.gas}`) },
    ]),
  );
}

/** The `target` record of bench/gas.json: docs/PROTOCOL.md's target and whether every dispute meets it. */
export function targetRecord(disputes: Record<string, MeasuredDispute>) {
  return {
    ...TARGET,
    met: Object.values(disputes).every((d) => d.transactions <= TARGET.maxTransactions && d.gas < TARGET.maxGas),
  };
}

/** Gas per job of request, commit, batch commit (of each size given) and finalize on the shipped model. */
export async function measureJobs(table: LocalTable, shipped: Shipped, batchSizes: readonly number[] = [16, 64, 256]) {
  const trace = await shipped.trace(5);
  const commitment = honestCommitment(trace);
  const request = async () => {
    const commitDeadline = (await now(table)) + 3600n;
    const { receipt } = await send(
      table.requester,
      requestJob(table.addresses, {
        modelId: shipped.modelId,
        input: pack(trace.input),
        fee: 10n ** 18n,
        commitDeadline,
      }),
    );
    const [event] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
    if (event === undefined) throw new Error("a request emitted no JobRequested");
    return { jobId: event.args.jobId, gas: gasOf(receipt) };
  };
  await request(); // warm-up: first-ever writes are dearer than the steady state
  const { jobId, gas: requestGas } = await request();
  const commit = await send(
    table.provider,
    commitJob(table.addresses, {
      jobId,
      outputRoot: commitment.outputRoot,
      output: commitment.outputPacked,
    }),
  );
  const batch: Record<string, number> = {};
  for (const n of batchSizes) {
    const ids: bigint[] = [];
    for (let i = 0; i < n; i++) ids.push((await request()).jobId);
    const commits = ids.map((jobId) => ({
      jobId,
      outputRoot: commitment.outputRoot,
      output: commitment.outputPacked,
    }));
    const { receipt } = await send(table.provider, commitBatch(table.addresses, commits));
    batch[String(n)] = Math.ceil(gasOf(receipt) / n);
  }
  const job = await jobOf(table, jobId);
  if ((await now(table)) < job.windowEnd) await mineAt(table, job.windowEnd);
  const finalize = await send(table.requester, finalizeJob(table.addresses, jobId));
  return {
    request: requestGas,
    commit: gasOf(commit.receipt),
    commitBatchPerJob: batch,
    finalize: gasOf(finalize.receipt),
  };
}

/** Gas of the moves only a large output, a timeout or a release exercise. */
async function measureOtherMoves(table: LocalTable, shipped: Shipped) {
  // k-ary reveal: node 0 of a wide model with 376 words (depth 9: rounds of 16, 16 and 2 children).
  const wide = wideModel(3001);
  const wideId = await registerCompiled(table, wide);
  const wideTrace = await traceModel(wide, wideInput(wide, new Rng(7)));
  const bisection = await measureDispute(
    table,
    wide,
    wideId,
    wideTrace,
    flippedElementAt(wide, wideTrace, 0, new Rng(8)),
    8,
  );
  const of = (kind: MoveKind) => bisection.moves.filter((m) => m.kind === kind).map((m) => m.gas);

  // A challenger that stays silent: the provider claims the timeout, then releases after the grace period.
  const trace = await shipped.trace(6);
  const commitment = honestCommitment(trace);
  const jobId = await requestInference(table, shipped.modelId, trace.input);
  const commitmentHash = await commitResult(table, jobId, commitment);
  const client = table.challenger(1);
  const ticket: ChallengeTicket = {
    jobId,
    modelId: shipped.modelId,
    commitmentHash,
    challenger: client.wallet.account.address,
    salt: `0x${"11".repeat(32)}`,
  };
  const { id } = await commitTicket(client, ticket);
  await mineBlock(table);
  await revealTicket(client, id, ticket);
  await playProvider(table.provider, jobId, commitment);
  await mineAt(table, (await challengeOf(table, id)).deadline + 1n);
  const [timeout] = (await playProvider(table.provider, jobId, commitment)).sent;
  if (timeout === undefined) throw new Error(`job ${jobId}: the provider claimed no timeout past the deadline`);
  await mineAt(table, (await disputeOf(table, jobId)).graceEnd);
  const settle = await send(table.requester, settleDispute(table.addresses, jobId));

  // A silent provider: one timeout wins every waiting challenge and settles the slash.
  const t2 = await shipped.trace(7);
  const silent = forgeCommitment("silent", shipped.compiled, t2, new Rng(9));
  const silentDispute = await measureDispute(table, shipped.compiled, shipped.modelId, t2, silent, 9);

  return {
    revealChildren: of("revealChildren"),
    chooseChild: of("chooseChild"),
    bisectionProveStep: of("proveStep")[0],
    bisectionDispute: { transactions: bisection.transactions, gas: bisection.gas },
    timeoutChallengerMissed: gasOf(timeout.receipt),
    timeoutProviderSilentAndSettle: silentDispute.moves.find((m) => m.kind === "timeout")?.gas,
    settleRelease: gasOf(settle.receipt),
  };
}

/** One-step figures, measured on their own fresh anvil; a wrong element stops the run. */
async function measureOneStep(): Promise<OneStepGas> {
  const chain = await openOneStepChain();
  try {
    const measured = await measureOneStepGas(chain);
    for (const v of measured.values) {
      if (v.onChain !== v.reference)
        throw new Error(`${v.key}: execute returned ${v.onChain}, expected ${v.reference}`);
    }
    const k = measured.k4096Values;
    if (k.packed !== k.reference || k.extracted !== k.reference) {
      throw new Error(`K = 4096 dot products ${k.packed} and ${k.extracted}, expected ${k.reference}`);
    }
    return measured;
  } finally {
    await chain.stop();
  }
}

async function main(): Promise<void> {
  const oneStep = await measureOneStep();
  const table = await openTable({ challengers: 2, gasLimit: 200_000_000n });
  try {
    const shipped = await loadShipped(table);
    const disputes = await measureFullDisputes(table, shipped);
    const floatDisputes = await measureFloatDisputes(table);
    const jobs = await measureJobs(table, shipped);
    const floatOneStep = await measureFloatStepGas(
      table.public,
      table.deployment.floatStepVerifier,
      table.requester.wallet.account.address,
    );
    const other = await measureOtherMoves(table, shipped);
    const first = (d: MeasuredDispute, kind: MeasuredMove["kind"]) => d.moves.find((m) => m.kind === kind)?.gas;
    const wrong = disputes["wrong-output"];
    const early = disputes["flipped-element@node1"];
    const report = {
      generated: "npm run gas (scripts/gas.ts): gasUsed from receipts on anvil, steady state (after a warm-up)",
      model: "models/fmnist-mlp.onnx",
      jobs,
      disputeMoves: {
        commitChallenge: first(wrong, "commitChallenge"),
        revealChallenge: first(wrong, "revealChallenge"),
        postRoots: first(wrong, "postRoots"),
        selectNode: { lastNode: first(wrong, "selectNode"), node1: first(early, "selectNode") },
        revealWhole: { lastNode: first(wrong, "revealWhole"), node1: first(early, "revealWhole") },
        revealChildren: other.revealChildren,
        chooseChild: other.chooseChild,
        proveStep: {
          argMaxLastNode: first(wrong, "proveStep"),
          matMulIntegerNode1: first(early, "proveStep"),
          flattenNode0: first(disputes["flipped-element@node0"], "proveStep"),
          matMulIntegerBisection: other.bisectionProveStep,
        },
        timeout: {
          challengerMissed: other.timeoutChallengerMissed,
          providerSilentWithSlash: other.timeoutProviderSilentAndSettle,
        },
        settle: { release: other.settleRelease },
      },
      fullDispute: fullDisputeRecord({ ...disputes, ...floatDisputes }),
      bisectionDispute376Words: other.bisectionDispute,
      target: targetRecord(disputes),
      oneStep: oneStep.gas,
      floatOneStep,
    };
    writeFileSync(GAS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(ONE_STEP_PARTS_FILE, `${JSON.stringify(oneStep.k4096Parts, null, 2)}\n`);
    console.log(JSON.stringify({ ...report, oneStepK4096Parts: oneStep.k4096Parts }, null, 2));
    console.log("wrote bench/gas.json and bench/gas-onestep-k4096-parts.json");
  } finally {
    await table.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
