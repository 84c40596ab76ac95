/**
 * Gas of one float32 element through the routed one-step check the dispute game calls
 * (`FloatStepVerifier.verdict`, docs/PROTOCOL.md §11.10): eth_estimateGas of the call as a
 * transaction — 21,000 intrinsic, the descriptor, the operand roots, the proof's openings and
 * their verification, and the exact dot product. MatMul elements at K = 64, 784 and 4,096
 * (A `[1, K]`, B `[K, 128]`, seeded values in [−1, 1]), and one interior element of the shipped
 * CNN's second Conv (16→32, 3×3, pad 1: K = 144) on an onnxruntime trace of an evaluation image.
 * Each claim is the honest one, so the call runs to ADMISSIBLE as a losing challenge would.
 */
import { readFileSync } from "node:fs";
import type { Address, Hex, PublicClient } from "viem";
import { readIdxImages } from "../data/idx.ts";
import { floatImage } from "../data/floatPixels.ts";
import { Source, ZERO_ROOT, type NodeDescriptor } from "../graph/descriptor.ts";
import { Opcode } from "../graph/opcode.ts";
import { policyHash, STRICT_FP32 } from "../float/policy.ts";
import { floatStepCall } from "../float/step/abi.ts";
import { buildFloatStepProof } from "../float/step/proof.ts";
import { Verdict } from "../float/verdict.ts";
import { compileModel } from "../onnx/compile.ts";
import { operandCommitments } from "../proof/dispute.ts";
import { TensorCommitment } from "../tensor/commitment.ts";
import { DType } from "../tensor/dtype.ts";
import { Layout, type TensorSpec } from "../tensor/spec.ts";
import { float32Bits, Tensor } from "../tensor/tensor.ts";
import { traceModel } from "../trace/trace.ts";
import { Rng } from "../vectors/rng.ts";

export const FLOAT_STEP_GAS_KS = [64, 784, 4096] as const;
const N = 128;

function values(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.fround(rng.float() * 2 - 1));
}

async function estimate(
  client: PublicClient,
  verifier: Address,
  account: Address,
  node: NodeDescriptor,
  operands: readonly (TensorCommitment | undefined)[],
  outIndex: number,
  claimed: bigint,
): Promise<number> {
  const built = buildFloatStepProof({ node, operands, outIndex, claimed, policy: STRICT_FP32 });
  if (built.verdict !== Verdict.ADMISSIBLE) throw new Error(`the honest element ${outIndex} is not admissible`);
  const data: Hex = floatStepCall(node, built.operandRoots, outIndex, claimed, built.proof, policyHash(STRICT_FP32));
  return Number(await client.estimateGas({ account, to: verifier, data }));
}

/** `floatOneStep` of bench/gas.json: `matMul.<K>` and `conv`. */
export async function measureFloatStepGas(
  client: PublicClient,
  verifier: Address,
  account: Address,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const rng = new Rng(0xf10a7);
  for (const k of FLOAT_STEP_GAS_KS) {
    const aSpec: TensorSpec = { dtype: DType.FLOAT, layout: Layout.ROW_MAJOR, shape: [1, k] };
    const bSpec: TensorSpec = { dtype: DType.FLOAT, layout: Layout.TRANSPOSED, shape: [k, N] };
    const a = new Float32Array(values(rng, k));
    const b = new Float32Array(values(rng, k * N));
    const bCommitment = new TensorCommitment(new Tensor(bSpec, b));
    const node: NodeDescriptor = {
      opcode: Opcode.MatMul,
      inputs: [
        { source: Source.JOB_INPUT, index: 0, root: ZERO_ROOT, spec: aSpec },
        { source: Source.CONSTANT, index: 0, root: bCommitment.root, spec: bSpec },
      ],
      output: { dtype: DType.FLOAT, layout: Layout.ROW_MAJOR, shape: [1, N] },
      attrs: [],
    };
    const n = 5;
    // The float64 sum rounded once: within the bound of the exact value.
    let sum = 0;
    for (let i = 0; i < k; i++) sum += (a[i] as number) * (b[i * N + n] as number);
    const claimed = BigInt(float32Bits(Float32Array.of(sum))[0] as number);
    out[`matMul.${k}`] = await estimate(
      client,
      verifier,
      account,
      node,
      [new TensorCommitment(new Tensor(aSpec, a)), bCommitment],
      n,
      claimed,
    );
  }
  const root = new URL("../../models/", import.meta.url);
  const cnn = compileModel(new Uint8Array(readFileSync(new URL("fmnist-cnn.onnx", root))));
  const images = readIdxImages(new URL("fmnist-mlp.eval-images.idx", root).pathname);
  const trace = await traceModel(cnn, floatImage(images, cnn.input, 0));
  const conv = 3;
  const node = cnn.nodes[conv] as NodeDescriptor;
  // Channel 5, row 7, column 7 of the 14×14 output: an interior element (every tap inside the image).
  const outIndex = (5 * 14 + 7) * 14 + 7;
  const claimed = (trace.nodeOutputs[conv] as Tensor).at(outIndex);
  out["conv"] = await estimate(
    client,
    verifier,
    account,
    node,
    operandCommitments(cnn, trace, conv),
    outIndex,
    claimed,
  );
  return out;
}
