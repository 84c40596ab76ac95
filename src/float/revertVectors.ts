/**
 * Golden vectors of the calls `FloatOneStep` must refuse (docs/PROTOCOL.md §11.9): honest
 * proofs of Conv, Gemm and pool elements with one thing broken — a spec, a dimension, the
 * geometry, the output index, an opening, the hint or the policy — each with the custom error
 * the contract must revert with. Part of test/vectors/float.json.
 */
import { toFunctionSelector, type Hex } from "viem";
import { Layout } from "../tensor/spec.ts";
import { averagePoolCall, convCall, gemmCall, globalAveragePoolCall, maxPoolCall } from "./abi.ts";
import { FloatTensor, type RangeOperand, type WordsOperand } from "./commitment.ts";
import { convProof, type ConvOperands, type ConvProof } from "./conv.ts";
import { toBits } from "./f32.ts";
import { GEMM_DEFAULTS, gemmProof, type GemmOperands, type GemmProof } from "./gemm.ts";
import type { NumericsPolicy } from "./policy.ts";
import { globalAveragePoolProof, poolProof, type PoolGeometry } from "./pool.ts";
import type { WindowAttributes } from "./window.ts";
import type { Rng } from "../vectors/rng.ts";

export interface RevertVector {
  readonly name: string;
  readonly input: Hex;
  /** The selector of the error the call must revert with. */
  readonly error: Hex;
}

const U = "uint256";
const errors = {
  InvalidOperandSpec: `InvalidOperandSpec(${U},uint8,uint8,${U})`,
  DimensionMismatch: `DimensionMismatch(${U},${U},${U},${U})`,
  InvalidGeometry: `InvalidGeometry(${U},${U},${U},${U},${U})`,
  OutputIndexOutOfRange: `OutputIndexOutOfRange(${U},${U})`,
  WordCountMismatch: `WordCountMismatch(${U},${U},${U})`,
  MalformedProof: `MalformedProof(${U})`,
  RootMismatch: "RootMismatch(bytes32,bytes32)",
  InvalidOperand: `InvalidOperand(${U},${U},${U})`,
  InvalidHint: "InvalidHint(int256)",
  UnsupportedPolicy: "UnsupportedPolicy(bytes32)",
  EmptyWindow: `EmptyWindow(${U})`,
  InvalidRun: `InvalidRun(${U},${U})`,
} as const;
type ErrorName = keyof typeof errors;
const selector = (e: ErrorName) => toFunctionSelector(errors[e]);

const flip = (h: Hex): Hex => `${h.slice(0, -1)}${h.endsWith("0") ? "1" : "0"}` as Hex;
const withSpec = <T extends { spec: RangeOperand["spec"] }>(o: T, spec: Partial<RangeOperand["spec"]>): T => ({
  ...o,
  spec: { ...o.spec, ...spec },
});

function tensor(rng: Rng, shape: number[], layout: Layout = Layout.ROW_MAJOR): FloatTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new FloatTensor(
    shape,
    Uint32Array.from({ length: n }, () => toBits(Math.fround(rng.u32() / 2 ** 32 - 0.5))),
    layout,
  );
}

export function revertVectors(rng: Rng, policy: NumericsPolicy): RevertVector[] {
  const out: RevertVector[] = [];
  // Conv 2→3 3×3 pad 1 on 6×6: X 72 elements (9 words), W 54 (7 words).
  const ops: ConvOperands = { x: tensor(rng, [1, 2, 6, 6]), w: tensor(rng, [3, 2, 3, 3]), bias: tensor(rng, [3]) };
  const g: WindowAttributes = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1] };
  const o = 36 + 2 * 6 + 3;
  const conv = convProof(ops, g, o, toBits(1), policy);
  const c = (name: string, e: ErrorName, p: Partial<ConvProof>, pol: NumericsPolicy = policy) =>
    out.push({ name: `Conv ${name}`, input: convCall({ ...conv, ...p }, pol), error: selector(e) });
  const xWords = conv.x as WordsOperand;
  c("X of rank 3", "InvalidOperandSpec", { x: withSpec(xWords, { shape: [2, 6, 6] }) });
  c("X of int32", "InvalidOperandSpec", { x: withSpec(xWords, { dtype: 6 }) });
  c("W transposed", "InvalidOperandSpec", { w: withSpec(conv.w, { layout: Layout.TRANSPOSED }) });
  c("B of rank 2", "InvalidOperandSpec", { bias: withSpec(conv.bias, { shape: [3, 1] }) });
  c("W for 3 input channels", "DimensionMismatch", { w: withSpec(conv.w, { shape: [2, 3, 3, 3] }) });
  c("B of 4 channels", "DimensionMismatch", { bias: withSpec(conv.bias, { shape: [4] }) });
  c("stride 0", "InvalidGeometry", { geometry: { ...g, strides: [0, 1] } });
  c("dilation 0", "InvalidGeometry", { geometry: { ...g, dilations: [1, 0] } });
  c("dilated kernel past the padded input", "InvalidGeometry", {
    geometry: { ...g, pads: [0, 0, 0, 0], dilations: [4, 1] },
  });
  c("output index past the output", "OutputIndexOutOfRange", { outIndex: 3n * 36n });
  c("a word missing from X's set", "WordCountMismatch", { x: { ...xWords, words: xWords.words.slice(1) } });
  c("an extra sibling in X's proof", "MalformedProof", {
    x: { ...xWords, proof: [...xWords.proof, xWords.proof[0] as Hex] },
  });
  c("a sibling missing from X's proof", "MalformedProof", { x: { ...xWords, proof: xWords.proof.slice(1) } });
  c("a tampered X word", "RootMismatch", {
    x: { ...xWords, words: [flip(xWords.words[0] as Hex), ...xWords.words.slice(1)] },
  });
  c("a tampered W word", "RootMismatch", {
    w: {
      ...conv.w,
      opening: { ...conv.w.opening, words: [flip(conv.w.opening.words[0] as Hex), ...conv.w.opening.words.slice(1)] },
    },
  });
  c("W opened on another filter", "InvalidOperand", { w: ops.w.openRange(0, 18) });
  c("hint too fine", "InvalidHint", { hint: conv.hint - 1n });
  c("TF32 policy", "UnsupportedPolicy", {}, { ...policy, inputBits: 11 });

  // Gemm A [3, 10], B [10, 4] transposed, C [4].
  const gops: GemmOperands = {
    a: tensor(rng, [3, 10]),
    b: tensor(rng, [10, 4], Layout.TRANSPOSED),
    c: tensor(rng, [4]),
  };
  const gemm = gemmProof(gops, GEMM_DEFAULTS, 6, toBits(1), policy);
  const gm = (name: string, e: ErrorName, p: Partial<GemmProof>) =>
    out.push({ name: `Gemm ${name}`, input: gemmCall({ ...gemm, ...p }, policy), error: selector(e) });
  gm("B row-major with transB = 0", "InvalidOperandSpec", { b: withSpec(gemm.b, { layout: Layout.ROW_MAJOR }) });
  gm("A transposed with transA = 0", "InvalidOperandSpec", { a: withSpec(gemm.a, { layout: Layout.TRANSPOSED }) });
  gm("C of rank 3", "InvalidOperandSpec", { c: withSpec(gemm.c, { shape: [1, 1, 4] }) });
  gm("B with K = 11", "DimensionMismatch", { b: withSpec(gemm.b, { shape: [11, 4] }) });
  gm("C of 5 columns", "DimensionMismatch", { c: withSpec(gemm.c, { shape: [5] }) });
  gm("output index past the output", "OutputIndexOutOfRange", { outIndex: 12n });
  gm("A opened on another row", "InvalidOperand", { a: gops.a.openRange(0, 10) });
  gm("a tampered C word", "RootMismatch", {
    c: { ...gemm.c, opening: { ...gemm.c.opening, words: [flip(gemm.c.opening.words[0] as Hex)] } },
  });

  // Pools over X [1, 2, 5, 5].
  const x = tensor(rng, [1, 2, 5, 5]);
  const pg: PoolGeometry = {
    kernel: [2, 2],
    strides: [2, 2],
    pads: [0, 0, 0, 0],
    dilations: [1, 1],
    countIncludePad: false,
  };
  const pool = poolProof(x, pg, 3, toBits(1), policy);
  out.push({
    name: "MaxPool kernel 0",
    input: maxPoolCall({ ...pool, geometry: { ...pg, kernel: [0, 2] } }),
    error: selector("InvalidGeometry"),
  });
  out.push({
    name: "MaxPool X of rank 5",
    input: maxPoolCall({ ...pool, x: withSpec(pool.x, { shape: [1, 1, 2, 5, 5] }) }),
    error: selector("InvalidOperandSpec"),
  });
  const far: PoolGeometry = { ...pg, pads: [2, 2, 2, 2] };
  out.push({
    name: "MaxPool window wholly in the padding",
    input: maxPoolCall({ ...pool, geometry: far, outIndex: 0n, x: { ...pool.x, words: [], proof: [] } }),
    error: selector("EmptyWindow"),
  });
  out.push({
    name: "AveragePool a tampered word",
    input: averagePoolCall({ ...pool, x: { ...pool.x, words: pool.x.words.map(flip) } }, policy),
    error: selector("RootMismatch"),
  });
  out.push({
    name: "AveragePool output index past the output",
    input: averagePoolCall({ ...pool, outIndex: 8n }, policy),
    error: selector("OutputIndexOutOfRange"),
  });
  const global = globalAveragePoolProof(x, 1, toBits(1), policy);
  out.push({
    name: "GlobalAveragePool X of rank 2",
    input: globalAveragePoolCall({ ...global, x: withSpec(global.x, { shape: [2, 25] }) }, policy),
    error: selector("InvalidOperandSpec"),
  });
  out.push({
    name: "GlobalAveragePool output index past the output",
    input: globalAveragePoolCall({ ...global, outIndex: 2n }, policy),
    error: selector("OutputIndexOutOfRange"),
  });
  return out;
}
