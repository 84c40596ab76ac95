/**
 * The routed float32 one-step proof (src/float/step/, docs/PROTOCOL.md §11.10) on real traces:
 * the shipped models/fmnist-cnn.onnx and models/fmnist-mlp-f32.onnx are compiled and traced by
 * onnxruntime, and for one element of every node the proof built from the trace is sent to a
 * FloatStepVerifier deployed on anvil. The honest element must be ADMISSIBLE and the element
 * moved out of its bound must VIOLATE — 2·B for the rounding operators (B from the float
 * checker, src/float/check), one ulp for the exact ones (B = 0) — in TypeScript and on chain.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { createPublicClient, createWalletClient, http, type Address, type PublicClient } from "viem";
import { foundry } from "viem/chains";
import { floatNodeOf, loadFloatGraph } from "../../src/bench/floatTrace.ts";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { deployFloatStepVerifier } from "../../src/chain/deployFloatStep.ts";
import { ElementCheck } from "../../src/float/check/kernel.ts";
import { kernelFor } from "../../src/float/check/node.ts";
import type { NodeTensor } from "../../src/float/check/tensor.ts";
import { stepUlps, toBits } from "../../src/float/f32.ts";
import { policyHash, STRICT_FP32 } from "../../src/float/policy.ts";
import { FLOAT_STEP_VERIFIER_ABI } from "../../src/float/step/abi.ts";
import { buildFloatStepProof, FloatStepProofError, floatStepArgs } from "../../src/float/step/proof.ts";
import { Verdict } from "../../src/float/verdict.ts";
import { readIdxImages } from "../../src/data/idx.ts";
import { EVAL_IMAGES } from "../../src/model/floatCard.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { operandCommitments } from "../../src/proof/dispute.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { traceModel, type Trace } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";

const DEPLOYER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const P = STRICT_FP32;
const POLICY_HASH = policyHash(P);

let anvil: AnvilNode;
let client: PublicClient;
let verifier: Address;

before(async () => {
  anvil = await startAnvil({ args: ["--gas-limit", "1000000000"] });
  const transport = http(anvil.rpcUrl);
  client = createPublicClient({ chain: foundry, transport });
  const wallet = createWalletClient({ chain: foundry, transport, account: DEPLOYER });
  verifier = (await deployFloatStepVerifier({ publicClient: client, walletClient: wallet })).floatStepVerifier;
});
after(async () => {
  await anvil?.stop();
});

const images = readIdxImages(EVAL_IMAGES);
function image(k: number): Tensor {
  const n = images.rows * images.cols;
  const data = Float32Array.from(images.pixels.subarray(k * n, (k + 1) * n), (p) => p / 255);
  return new Tensor({ dtype: 1, layout: Layout.ROW_MAJOR, shape: [1, 1, images.rows, images.cols] }, data);
}

/** The float checker's view of the trace: every value by its ONNX name. */
function checkerValues(compiled: CompiledModel, trace: Trace, constants: ReadonlyMap<string, NodeTensor>) {
  const values = new Map<string, NodeTensor>(constants);
  values.set(compiled.input.name, { dims: trace.input.spec.shape, data: trace.input.data as Float32Array });
  trace.nodeOutputs.forEach((t, i) => {
    values.set(compiled.outputNames[i] as string, { dims: t.spec.shape, data: t.data as Float32Array });
  });
  return values;
}

async function onChain(args: ReturnType<typeof floatStepArgs>): Promise<number> {
  return client.readContract({ address: verifier, abi: FLOAT_STEP_VERIFIER_ABI, functionName: "verdict", args });
}

function modelCases(name: string, ops: readonly string[]) {
  describe(`models/${name}.onnx`, () => {
    const bytes = new Uint8Array(readFileSync(`models/${name}.onnx`));
    const compiled = compileModel(bytes);
    const graph = loadFloatGraph(bytes);
    const rng = new Rng(name.length);
    let trace: Trace;

    before(async () => {
      trace = await traceModel(compiled, image(3), { intraOpNumThreads: 1 });
    });

    test("holds the op types under test", () => {
      assert.deepEqual([...new Set(compiled.onnxOpTypes)].sort(), [...ops].sort());
      assert.equal(compiled.policyHash, POLICY_HASH);
    });

    test("every node: the honest element is ADMISSIBLE and the element out of its bound VIOLATES, on chain too", async () => {
      const values = checkerValues(compiled, trace, graph.constants);
      let checked = 0;
      for (const [i, node] of compiled.nodes.entries()) {
        const opType = compiled.onnxOpTypes[i] as string;
        const gnode = graph.nodes.find((g) => g.output === compiled.outputNames[i]);
        assert.ok(gnode, opType);
        const out = trace.nodeOutputs[i] as Tensor;
        const bits = new Uint32Array((out.data as Float32Array).buffer);
        const outIndex = rng.u32() % bits.length;
        const honest = bits[outIndex] as number;
        const check = new ElementCheck();
        kernelFor(floatNodeOf(gnode, values), P).check(outIndex, honest, check);
        const moved = check.bound > 0 ? toBits(Math.fround(check.estimate + 2 * check.bound)) : stepUlps(honest, 1);
        const operands = operandCommitments(compiled, trace, i);
        for (const [claimed, expected] of [
          [honest, Verdict.ADMISSIBLE],
          [moved, Verdict.VIOLATES],
        ] as const) {
          const proof = buildFloatStepProof({ node, operands, outIndex, claimed: BigInt(claimed), policy: P });
          assert.equal(proof.verdict, expected, `${opType} element ${outIndex} claimed ${claimed}`);
          const v = await onChain(floatStepArgs(node, proof, outIndex, BigInt(claimed), POLICY_HASH));
          assert.equal(v, expected, `${opType} on chain, element ${outIndex}`);
          checked++;
        }
      }
      assert.equal(checked, 2 * compiled.nodes.length);
    });
  });
}

modelCases("fmnist-cnn", ["Conv", "Relu", "MaxPool", "Flatten", "Gemm"]);

test("gas of a routed CNN Conv element (16→32, K = 144) and a Gemm element at K = 1,568 (eth_estimateGas, calldata included)", async (t) => {
  const bytes = new Uint8Array(readFileSync("models/fmnist-cnn.onnx"));
  const compiled = compileModel(bytes);
  const trace = await traceModel(compiled, image(3), { intraOpNumThreads: 1 });
  const conv = compiled.onnxOpTypes.lastIndexOf("Conv");
  const gemm = compiled.nodes.findIndex(
    (n, i) => compiled.onnxOpTypes[i] === "Gemm" && n.inputs[0]?.spec.shape[1] === 1568,
  );
  assert.ok(conv >= 0 && gemm >= 0);
  for (const [label, i] of [
    ["Conv", conv],
    ["Gemm K=1568", gemm],
  ] as const) {
    const node = compiled.nodes[i]!;
    const out = trace.nodeOutputs[i] as Tensor;
    const bits = new Uint32Array((out.data as Float32Array).buffer);
    // An interior element: the middle of the output.
    const outIndex = Math.floor(bits.length / 2) + (label === "Conv" ? 14 : 0);
    const claimed = BigInt(bits[outIndex] as number);
    const proof = buildFloatStepProof({
      node,
      operands: operandCommitments(compiled, trace, i),
      outIndex,
      claimed,
      policy: P,
    });
    assert.equal(proof.verdict, Verdict.ADMISSIBLE);
    const gas = await client.estimateContractGas({
      address: verifier,
      abi: FLOAT_STEP_VERIFIER_ABI,
      functionName: "verdict",
      args: floatStepArgs(node, proof, outIndex, claimed, POLICY_HASH),
      account: DEPLOYER,
    });
    t.diagnostic(`${label} element ${outIndex}: ${gas} gas`);
    assert.ok(gas > 100_000n && gas < 2_000_000n, `${label}: ${gas}`);
  }
});
modelCases("fmnist-mlp-f32", ["Flatten", "Gemm", "Relu"]);

test("buildFloatStepProof refuses operands that do not fit the descriptor", async () => {
  const bytes = new Uint8Array(readFileSync("models/fmnist-mlp-f32.onnx"));
  const compiled = compileModel(bytes);
  const trace = await traceModel(compiled, image(0), { intraOpNumThreads: 1 });
  const i = compiled.onnxOpTypes.indexOf("Gemm");
  const node = compiled.nodes[i]!;
  const operands = operandCommitments(compiled, trace, i);
  const build = (o: typeof operands, claimed = 0n, outIndex = 0) =>
    buildFloatStepProof({ node, operands: o, outIndex, claimed, policy: P });
  assert.throws(() => build(operands.slice(0, 1)), FloatStepProofError);
  assert.throws(() => build([operands[1], operands[0], operands[2]]), FloatStepProofError);
  assert.throws(() => build(operands, -1n), FloatStepProofError);
  assert.throws(() => build(operands, 2n ** 32n), FloatStepProofError);
  assert.throws(() => build(operands, 0n, 10_000), FloatStepProofError);
  assert.throws(
    () => buildFloatStepProof({ node, operands, outIndex: 0, claimed: 0n, policy: { ...P, accumulationBits: 11 } }),
    FloatStepProofError,
  );
});
