/**
 * Golden vectors of the operator checks with operand openings (docs/PROTOCOL.md §11.9): Conv,
 * Gemm, MaxPool, AveragePool and GlobalAveragePool elements — borders, padding, strides,
 * dilations, broadcast biases, transposed operands — each encoded as the call to
 * `FloatOneStep` (src/float/abi.ts) with the verdict of the TypeScript reference: honest
 * claims and 0.5·B admissible, 1.1·B, 2·B and 10·B fraud, special values. And word-set
 * openings of random trees with the root they must reach. Part of test/vectors/float.json.
 */
import type { Hex } from "viem";
import { Layout } from "../tensor/spec.ts";
import { averagePoolCall, convCall, gemmCall, globalAveragePoolCall, maxPoolCall } from "./abi.ts";
import { extremum } from "./bitwise.ts";
import { claimAt } from "./claims.ts";
import { FloatTensor } from "./commitment.ts";
import { convElement, convOutputShape, convProof, convVerdict, type ConvOperands } from "./conv.ts";
import { dotClaim } from "./dot.ts";
import { CANONICAL_NAN, ONE, POSITIVE_INFINITY, toBits } from "./f32.ts";
import { GEMM_DEFAULTS, gemmElement, gemmProof, gemmVerdict, type GemmAttributes, type GemmOperands } from "./gemm.ts";
import { meanClaim, type MeanElement } from "./mean.ts";
import { rootFromWords, wordSetProof } from "./multiOpening.ts";
import type { NumericsPolicy } from "./policy.ts";
import {
  averagePoolElement,
  averagePoolVerdict,
  globalAveragePoolElement,
  globalAveragePoolProof,
  globalAveragePoolVerdict,
  maxPoolVerdict,
  poolProof,
  poolValues,
  type PoolGeometry,
} from "./pool.ts";
import { roundToFloat32 } from "./round.ts";
import { exactValueAndBound, type SumClaim } from "./sum.ts";
import { outputDims, type WindowAttributes } from "./window.ts";
import { MerkleTree } from "../tensor/merkle.ts";
import type { Rng } from "../vectors/rng.ts";

export interface OperatorVector {
  readonly name: string;
  /** The call to FloatOneStep, selector included. */
  readonly input: Hex;
  readonly verdict: number;
}

export interface MultiOpeningVector {
  readonly name: string;
  readonly depth: number;
  readonly indices: number[];
  readonly leaves: Hex[];
  readonly proof: Hex[];
  readonly root: Hex;
}

/** The claims each sum element is checked with: honest (y rounded), then c·B away. */
const INJECTIONS = [
  ["0.5B", 0.5, true],
  ["1.1B", 1.1, false],
  ["2B", 2, false],
  ["10B", 10, false],
] as const;

function claimsOf(claim: SumClaim, policy: NumericsPolicy, rng: Rng): [string, number][] {
  const { y, bound } = exactValueAndBound(claim, policy);
  const out: [string, number][] = [["honest", roundToFloat32(y)]];
  for (const [label, c, within] of INJECTIONS) {
    try {
      out.push([label, claimAt(y, bound, c, rng.u32() % 2 === 0 ? 1 : -1, within)]);
    } catch {
      // No fp32 that close to y (a bound below half an ulp): nothing to inject.
    }
  }
  return out;
}

const randomBits = (rng: Rng, n: number) =>
  Uint32Array.from({ length: n }, () => toBits(Math.fround((rng.u32() / 2 ** 32) * 4 - 2)));

const tensor = (rng: Rng, shape: number[], layout: (typeof Layout)[keyof typeof Layout] = Layout.ROW_MAJOR) =>
  new FloatTensor(
    shape,
    randomBits(
      rng,
      shape.reduce((a, b) => a * b, 1),
    ),
    layout,
  );

/** A tensor with some elements replaced. */
function patched(t: FloatTensor, changes: [number, number][]): FloatTensor {
  const bits = Uint32Array.from(t.bits);
  for (const [i, v] of changes) bits[i] = v;
  return new FloatTensor(t.shape, bits, t.layout);
}

function convVectors(rng: Rng, policy: NumericsPolicy): OperatorVector[] {
  const out: OperatorVector[] = [];
  const push = (name: string, ops: ConvOperands, g: WindowAttributes, o: number, claimed: number) =>
    out.push({
      name,
      input: convCall(convProof(ops, g, o, claimed, policy), policy),
      verdict: convVerdict(ops, g, o, claimed, policy),
    });
  const cases: [string, ConvOperands, WindowAttributes][] = [
    [
      "3→4 3×3 pad 1",
      { x: tensor(rng, [1, 3, 6, 7]), w: tensor(rng, [4, 3, 3, 3]), bias: tensor(rng, [4]) },
      { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1] },
    ],
    [
      "3→2 3×3 stride 2 pads (1,0,1,2)",
      { x: tensor(rng, [1, 3, 7, 6]), w: tensor(rng, [2, 3, 3, 3]), bias: tensor(rng, [2]) },
      { strides: [2, 2], pads: [1, 0, 1, 2], dilations: [1, 1] },
    ],
    [
      "2→3 3×3 dilation 2 pad 2, no bias",
      { x: tensor(rng, [1, 2, 9, 9]), w: tensor(rng, [3, 2, 3, 3]) },
      { strides: [1, 1], pads: [2, 2, 2, 2], dilations: [2, 2] },
    ],
    [
      "batch 2, 2→3 2×2, no pad",
      { x: tensor(rng, [2, 2, 5, 5]), w: tensor(rng, [3, 2, 2, 2]), bias: tensor(rng, [3]) },
      { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] },
    ],
  ];
  for (const [tag, ops, g] of cases) {
    const [n, m, oh, ow] = convOutputShape(ops, g);
    const last = n * m * oh * ow - 1;
    const picks: [string, number][] = [
      ["top-left corner", 0],
      ["top border", Math.floor(ow / 2)],
      ["interior", (m - 1) * oh * ow + Math.floor(oh / 2) * ow + Math.floor(ow / 2)],
      ["bottom-right corner", last],
    ];
    for (const [where, o] of picks) {
      for (const [label, claimed] of claimsOf(dotClaim(convElement(ops, g, o, 0)), policy, rng)) {
        push(`Conv ${tag} ${where} ${label}`, ops, g, o, claimed);
      }
    }
  }
  // A window entirely in the padding: only the bias is left.
  const far = { x: tensor(rng, [1, 1, 3, 3]), w: tensor(rng, [2, 1, 2, 2]), bias: tensor(rng, [2]) };
  const wide: WindowAttributes = { strides: [1, 1], pads: [3, 3, 3, 3], dilations: [1, 1] };
  push("Conv window all padding: the bias", far, wide, 0, far.bias.at(0));
  push("Conv window all padding: not the bias", far, wide, 0, toBits(1));
  // Special values.
  const [tag, ops, g] = cases[0] as [string, ConvOperands, WindowAttributes];
  const inf = { ...ops, x: patched(ops.x, [[0, POSITIVE_INFINITY]]) };
  push(`Conv ${tag} ∞ input under the window: unchecked`, inf, g, 0, toBits(1));
  const infW = { ...ops, w: patched(ops.w, [[0, POSITIVE_INFINITY]]) };
  push(`Conv ${tag} ∞ weight on the padding: unchecked`, infW, g, 0, toBits(1));
  const honest = roundToFloat32(exactValueAndBound(dotClaim(convElement(ops, g, 9, 0)), policy).y);
  push(`Conv ${tag} ∞ input outside the window: honest`, inf, g, 9 + 2 * 7, honestConv(inf, g, 9 + 2 * 7, policy));
  push(`Conv ${tag} NaN claim: fraud`, ops, g, 9, CANONICAL_NAN);
  push(`Conv ${tag} honest claim of another element: fraud`, ops, g, 10, honest);
  return out;
}

function honestConv(ops: ConvOperands, g: WindowAttributes, o: number, policy: NumericsPolicy): number {
  return roundToFloat32(exactValueAndBound(dotClaim(convElement(ops, g, o, 0)), policy).y);
}

function gemmVectors(rng: Rng, policy: NumericsPolicy): OperatorVector[] {
  const out: OperatorVector[] = [];
  const M = 5;
  const N = 6;
  const K = 12;
  const a = tensor(rng, [M, K]);
  const aT = tensor(rng, [K, M], Layout.TRANSPOSED);
  const bT = tensor(rng, [K, N], Layout.TRANSPOSED);
  const bRow = tensor(rng, [N, K]);
  const half = toBits(0.5);
  const cases: [string, GemmOperands, GemmAttributes][] = [
    ["plain", { a, b: bT }, GEMM_DEFAULTS],
    ["transB C [N]", { a, b: bRow, c: tensor(rng, [N]) }, { ...GEMM_DEFAULTS, transB: true }],
    [
      "transA C [M,N] α=0.5 β=2",
      { a: aT, b: bT, c: tensor(rng, [M, N]) },
      { alpha: half, beta: toBits(2), transA: true, transB: false },
    ],
    ["C scalar β=0.5", { a, b: bT, c: tensor(rng, []) }, { ...GEMM_DEFAULTS, beta: half }],
    ["C [M,1] α=-1.5", { a, b: bT, c: tensor(rng, [M, 1]) }, { ...GEMM_DEFAULTS, alpha: toBits(-1.5) }],
    [
      "C [1,N] transA transB",
      { a: aT, b: bRow, c: tensor(rng, [1, N]) },
      { ...GEMM_DEFAULTS, transA: true, transB: true },
    ],
  ];
  for (const [tag, ops, attrs] of cases) {
    for (const o of [0, 2 * N + 3, M * N - 1]) {
      for (const [label, claimed] of claimsOf(dotClaim(gemmElement(ops, attrs, o, 0)), policy, rng)) {
        out.push({
          name: `Gemm ${tag} element ${o} ${label}`,
          input: gemmCall(gemmProof(ops, attrs, o, claimed, policy), policy),
          verdict: gemmVerdict(ops, attrs, o, claimed, policy),
        });
      }
    }
  }
  const nanC = {
    a,
    b: bT,
    c: new FloatTensor(
      [N],
      Uint32Array.from({ length: N }, () => CANONICAL_NAN),
    ),
  };
  out.push({
    name: "Gemm NaN bias: unchecked",
    input: gemmCall(gemmProof(nanC, GEMM_DEFAULTS, 1, ONE, policy), policy),
    verdict: gemmVerdict(nanC, GEMM_DEFAULTS, 1, ONE, policy),
  });
  return out;
}

function poolVectors(rng: Rng, policy: NumericsPolicy): OperatorVector[] {
  const out: OperatorVector[] = [];
  const x = tensor(rng, [1, 2, 7, 6]);
  const base = { pads: [0, 0, 0, 0], dilations: [1, 1], countIncludePad: false } as const;
  const geometries: [string, PoolGeometry][] = [
    ["2×2 stride 2", { ...base, kernel: [2, 2], strides: [2, 2] }],
    ["3×3 stride 1 pad 1", { ...base, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }],
    [
      "3×3 stride 2 pads (1,2,0,1) dilation 2",
      { ...base, kernel: [3, 3], strides: [2, 2], pads: [1, 2, 0, 1], dilations: [2, 2] },
    ],
    [
      "3×3 stride 1 pad 1 count_include_pad",
      { ...base, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], countIncludePad: true },
    ],
  ];
  for (const [tag, g] of geometries) {
    const [oh, ow] = outputDims(7, 6, g.kernel, g);
    for (const o of [0, 5, 2 * oh * ow - 1]) {
      const max = extremum(poolValues(x, g, o), true) as number;
      for (const [label, claimed] of [
        ["honest", max],
        ["another value of the window", poolValues(x, g, o).find((v) => v !== max) ?? toBits(7)],
      ] as const) {
        out.push({
          name: `MaxPool ${tag} element ${o} ${label}`,
          input: maxPoolCall(poolProof(x, g, o, claimed, policy)),
          verdict: maxPoolVerdict(x, g, o, claimed),
        });
      }
      const e: MeanElement = averagePoolElement(x, g, o, 0);
      for (const [label, claimed] of claimsOf(meanClaim(e), policy, rng)) {
        out.push({
          name: `AveragePool ${tag} element ${o} ${label}`,
          input: averagePoolCall(poolProof(x, g, o, claimed, policy), policy),
          verdict: averagePoolVerdict(x, g, o, claimed, policy),
        });
      }
    }
  }
  const g = (geometries[0] as [string, PoolGeometry])[1];
  const nan = patched(x, [[1, CANONICAL_NAN]]);
  out.push({
    name: "MaxPool NaN in the window: unchecked",
    input: maxPoolCall(poolProof(nan, g, 0, toBits(1), policy)),
    verdict: maxPoolVerdict(nan, g, 0, toBits(1)),
  });
  const zeros = patched(x, [
    [0, 0x80000000],
    [1, 0x80000000],
    [6, 0x80000000],
    [7, 0x80000000],
  ]);
  out.push({
    name: "MaxPool of −0s claimed +0: admissible",
    input: maxPoolCall(poolProof(zeros, g, 0, 0, policy)),
    verdict: maxPoolVerdict(zeros, g, 0, 0),
  });
  const gx = tensor(rng, [1, 3, 4, 5]);
  for (const o of [0, 2]) {
    for (const [label, claimed] of claimsOf(meanClaim(globalAveragePoolElement(gx, o, 0)), policy, rng)) {
      out.push({
        name: `GlobalAveragePool element ${o} ${label}`,
        input: globalAveragePoolCall(globalAveragePoolProof(gx, o, claimed, policy), policy),
        verdict: globalAveragePoolVerdict(gx, o, claimed, policy),
      });
    }
  }
  return out;
}

export function operatorVectors(rng: Rng, policy: NumericsPolicy): OperatorVector[] {
  return [...convVectors(rng, policy), ...gemmVectors(rng, policy), ...poolVectors(rng, policy)];
}

/** Random trees and random word sets (single words, runs, scattered sets, all words). */
export function multiOpeningVectors(rng: Rng): MultiOpeningVector[] {
  const out: MultiOpeningVector[] = [];
  for (let i = 0; i < 24; i++) {
    const count = 1 + (rng.u32() % 40);
    const leaves = new Uint8Array(count * 32);
    for (let j = 0; j < leaves.length; j++) leaves[j] = rng.u32() & 0xff;
    const tree = new MerkleTree(leaves);
    const density = [0.1, 0.3, 0.7, 1][i % 4] as number;
    let indices = Array.from({ length: count }, (_, j) => j).filter(() => rng.u32() / 2 ** 32 < density);
    if (indices.length === 0) indices = [rng.u32() % count];
    const words = indices.map((w) => tree.leaf(w));
    const proof = wordSetProof(tree, indices);
    const root = rootFromWords(indices, words, proof, tree.depth);
    if (root !== tree.root) throw new Error("word-set opening does not reach the root");
    out.push({
      name: `${count} leaves, ${indices.length} opened`,
      depth: tree.depth,
      indices,
      leaves: words,
      proof,
      root,
    });
  }
  return out;
}
