/**
 * Golden vectors of the routed float32 one-step check (docs/PROTOCOL.md §10, §11.10),
 * test/vectors/float-step.json: small nodes of every routed opcode, each with its descriptor,
 * operand roots, element, claim and proof as `FloatStepVerifier.verdict` takes them, and the
 * verdict `buildFloatStepProof` gives. Each claim is placed to get a known verdict — honest and
 * 0.5·B admissible, 1.1·B and 2·B fraud for the sums, a changed bit pattern fraud for the exact
 * operators, a non-finite operand unchecked — and generation fails if the builder disagrees, so
 * the file holds the admissibility rule as well as the TypeScript twin. The Solidity suite
 * replays every vector against the contracts.
 */
import { encodeAbiParameters, toFunctionSelector, type Hex } from "viem";
import {
  NODE_DESCRIPTOR_ABI,
  Source,
  toAbiDescriptor,
  type NodeDescriptor,
  type Operand,
} from "../../graph/descriptor.ts";
import { Opcode, opName } from "../../graph/opcode.ts";
import { TensorCommitment } from "../../tensor/commitment.ts";
import { DType } from "../../tensor/dtype.ts";
import { Layout, type TensorSpec } from "../../tensor/spec.ts";
import { Tensor } from "../../tensor/tensor.ts";
import { Rng } from "../../vectors/rng.ts";
import { claimAt } from "../claims.ts";
import { FloatTensor } from "../commitment.ts";
import { convElement } from "../conv.ts";
import { dotClaim } from "../dot.ts";
import { CANONICAL_NAN, fromBits, ONE, POSITIVE_INFINITY, stepUlps, toBits } from "../f32.ts";
import { gemmElement } from "../gemm.ts";
import { meanClaim } from "../mean.ts";
import { encodePolicy, policyHash, STRICT_FP32 } from "../policy.ts";
import { averagePoolElement, globalAveragePoolElement } from "../pool.ts";
import { roundToFloat32 } from "../round.ts";
import { exactValueAndBound, type SumClaim } from "../sum.ts";
import { Verdict } from "../verdict.ts";
import { buildFloatStepProof, FloatStepProofError } from "./proof.ts";

const P = STRICT_FP32;
const SEED = 0x57e9;

export interface FloatStepVector {
  readonly name: string;
  /** abi.encode(NodeDescriptor). */
  readonly node: Hex;
  readonly operandRoots: Hex[];
  readonly outIndex: number;
  /** The claim as a decimal int256 (fp32 bits, or ArgMax's index). */
  readonly claimed: string;
  readonly proof: Hex;
  readonly verdict: number;
}

/** A call the contract must refuse, with the error it refuses it with; the builder refuses it too. */
export interface FloatStepRevertVector {
  readonly name: string;
  readonly node: Hex;
  readonly operandRoots: Hex[];
  readonly outIndex: number;
  readonly claimed: string;
  /** A proof of the same element under the valid descriptor. */
  readonly proof: Hex;
  /** The error's selector. */
  readonly error: Hex;
}

export interface FloatStepVectors {
  readonly description: string;
  readonly policy: { readonly encoded: Hex; readonly hash: Hex };
  readonly cases: FloatStepVector[];
  readonly reverts: FloatStepRevertVector[];
}

type Data = Float32Array | BigInt64Array;

/** One operand of a vector node: its data (row-major) and how the descriptor commits it. */
interface Input {
  readonly shape: readonly number[];
  readonly data?: Data;
  readonly layout?: Layout;
  readonly source?: Source;
}

const spec = (dtype: DType, shape: readonly number[], layout: Layout = Layout.ROW_MAJOR): TensorSpec => ({
  dtype,
  layout,
  shape: [...shape],
});

class Builder {
  readonly cases: FloatStepVector[] = [];
  readonly reverts: FloatStepRevertVector[] = [];
  constructor(readonly rng: Rng) {}

  /** Values in [−2, 2), a few of them exactly zero. */
  values(n: number): Float32Array {
    return Float32Array.from({ length: n }, () =>
      this.rng.u32() % 16 === 0 ? 0 : Math.fround((this.rng.u32() / 2 ** 32) * 4 - 2),
    );
  }

  /** The node and its operand commitments. */
  node(opcode: Opcode, inputs: readonly Input[], output: readonly number[], attrs: readonly (number | bigint)[] = []) {
    const commitments = inputs.map((x) => {
      if (x.source === Source.ABSENT || x.data === undefined) return undefined;
      const dtype = x.data instanceof Float32Array ? DType.FLOAT : DType.INT64;
      return new TensorCommitment(new Tensor(spec(dtype, x.shape, x.layout), x.data));
    });
    const operands: Operand[] = inputs.map((x, i) => {
      const c = commitments[i];
      if (c === undefined)
        return { source: Source.ABSENT, index: 0, root: `0x${"00".repeat(32)}`, spec: spec(DType.FLOAT, []) };
      const source = x.source ?? (i === 0 ? Source.NODE_OUTPUT : Source.CONSTANT);
      return { source, index: 0, root: source === Source.CONSTANT ? c.root : `0x${"00".repeat(32)}`, spec: c.spec };
    });
    const node: NodeDescriptor = {
      opcode,
      inputs: operands,
      output: spec(opcode === Opcode.ArgMax ? DType.INT64 : DType.FLOAT, output),
      attrs: attrs.map(BigInt),
    };
    return { node, commitments };
  }

  /** One vector; generation stops if the builder's verdict is not `expected`. */
  add(
    name: string,
    built: ReturnType<Builder["node"]>,
    outIndex: number,
    claimed: bigint | number,
    expected: Verdict,
  ): void {
    const c = BigInt(claimed);
    const p = buildFloatStepProof({ node: built.node, operands: built.commitments, outIndex, claimed: c, policy: P });
    if (p.verdict !== expected)
      throw new Error(`${name}: the builder gives ${p.verdict}, the vector needs ${expected}`);
    this.cases.push({
      name,
      node: encodeAbiParameters([NODE_DESCRIPTOR_ABI], [toAbiDescriptor(built.node)]),
      operandRoots: p.operandRoots,
      outIndex,
      claimed: c.toString(),
      proof: p.proof,
      verdict: p.verdict,
    });
  }

  /**
   * A call the contract refuses: the proof of `outIndex` under the valid node, sent with the
   * node `change` makes (or the claim `refused`); generation stops unless the builder refuses
   * the changed call too.
   */
  refuse(
    name: string,
    built: ReturnType<Builder["node"]>,
    outIndex: number,
    claimed: bigint | number,
    error: string,
    change: (node: NodeDescriptor) => NodeDescriptor = (node) => node,
    refused: bigint = BigInt(claimed),
  ): void {
    const p = buildFloatStepProof({
      node: built.node,
      operands: built.commitments,
      outIndex,
      claimed: BigInt(claimed),
      policy: P,
    });
    const node = change(built.node);
    let threw = false;
    try {
      buildFloatStepProof({ node, operands: built.commitments, outIndex, claimed: refused, policy: P });
    } catch (e) {
      if (!(e instanceof FloatStepProofError)) throw e;
      threw = true;
    }
    if (!threw) throw new Error(`${name}: the builder accepts a call the contract refuses`);
    this.reverts.push({
      name,
      node: encodeAbiParameters([NODE_DESCRIPTOR_ABI], [toAbiDescriptor(node)]),
      operandRoots: p.operandRoots,
      outIndex,
      claimed: refused.toString(),
      proof: p.proof,
      error: toFunctionSelector(`function ${error}`),
    });
  }

  /** A sum element's claims: honest, 0.5·B admissible, 1.1·B and 2·B fraud. */
  sums(name: string, built: ReturnType<Builder["node"]>, outIndex: number, claim: (claimed: number) => SumClaim): void {
    const { y, bound } = exactValueAndBound(claim(0), P);
    this.add(`${name} honest`, built, outIndex, roundToFloat32(y), Verdict.ADMISSIBLE);
    const sign = this.rng.u32() % 2 === 0 ? 1 : -1;
    for (const [label, c, within] of [
      ["0.5B", 0.5, true],
      ["1.1B", 1.1, false],
      ["2B", 2, false],
    ] as const) {
      let bits: number;
      try {
        bits = claimAt(y, bound, c, sign, within);
      } catch {
        continue; // no fp32 that close to y: nothing to place
      }
      this.add(`${name} ${label}`, built, outIndex, bits, within ? Verdict.ADMISSIBLE : Verdict.VIOLATES);
    }
  }
}

const bitsOf = (data: Float32Array) => new Uint32Array(data.buffer, data.byteOffset, data.length);
const floatTensor = (c: TensorCommitment | undefined): FloatTensor => {
  if (c === undefined) throw new Error("absent");
  const d = c.tensor.data as Float32Array;
  return new FloatTensor(c.spec.shape, bitsOf(d), c.spec.layout);
};

function dotVectors(b: Builder): void {
  // MatMul: A [2, 3, 8] row-major, B [8, 5] transposed.
  const mm = b.node(
    Opcode.MatMul,
    [
      { shape: [2, 3, 8], data: b.values(48) },
      { shape: [8, 5], data: b.values(40), layout: Layout.TRANSPOSED },
    ],
    [2, 3, 5],
  );
  const [ma, mb] = mm.commitments.map(floatTensor);
  for (const o of [0, 17, 29]) {
    b.sums(`MatMul [2,3,8]x[8,5] element ${o}`, mm, o, (claimed) =>
      dotClaim({ a: ma!.run(Math.floor(o / 5) * 8, 8), b: mb!.run((o % 5) * 8, 8), claimed }),
    );
  }
  const inf = b.values(48);
  inf[9] = Infinity;
  const mmInf = b.node(
    Opcode.MatMul,
    [
      { shape: [2, 3, 8], data: inf },
      { shape: [8, 5], data: b.values(40), layout: Layout.TRANSPOSED },
    ],
    [2, 3, 5],
  );
  b.add("MatMul with an ∞ in A's row unchecked", mmInf, 7, 0, Verdict.UNCHECKED);

  // Gemm: α = 0.5, β = 1, A [3, 16], B [16, 4] transposed (transB 0), C [4].
  const half = toBits(0.5);
  const gemmAttrs = [half, ONE, 0, 0];
  const g = b.node(
    Opcode.Gemm,
    [
      { shape: [3, 16], data: b.values(48) },
      { shape: [16, 4], data: b.values(64), layout: Layout.TRANSPOSED },
      { shape: [4], data: b.values(4) },
    ],
    [3, 4],
    gemmAttrs,
  );
  const gops = { a: floatTensor(g.commitments[0]), b: floatTensor(g.commitments[1]), c: floatTensor(g.commitments[2]) };
  const gattrs = { alpha: half, beta: ONE, transA: false, transB: false };
  for (const o of [0, 6, 11])
    b.sums(`Gemm α=0.5 C[4] element ${o}`, g, o, (claimed) => dotClaim(gemmElement(gops, gattrs, o, claimed)));
  // transB 1 (B [4, 16] row-major), C ABSENT.
  const g2 = b.node(
    Opcode.Gemm,
    [
      { shape: [3, 16], data: b.values(48) },
      { shape: [4, 16], data: b.values(64) },
      { shape: [4], source: Source.ABSENT },
    ],
    [3, 4],
    [ONE, ONE, 0, 1],
  );
  const g2ops = { a: floatTensor(g2.commitments[0]), b: floatTensor(g2.commitments[1]) };
  const g2attrs = { alpha: ONE, beta: ONE, transA: false, transB: true };
  for (const o of [1, 10])
    b.sums(`Gemm transB=1 C absent element ${o}`, g2, o, (claimed) =>
      dotClaim(gemmElement(g2ops, g2attrs, o, claimed)),
    );
  const gNaN = b.values(4);
  gNaN[2] = NaN;
  const g3 = b.node(
    Opcode.Gemm,
    [
      { shape: [3, 16], data: b.values(48) },
      { shape: [16, 4], data: b.values(64), layout: Layout.TRANSPOSED },
      { shape: [4], data: gNaN },
    ],
    [3, 4],
    [ONE, ONE, 0, 0],
  );
  b.add("Gemm with a NaN bias unchecked", g3, 6, CANONICAL_NAN, Verdict.UNCHECKED);

  // Conv: X [1, 2, 6, 6], W [3, 2, 3, 3], B [3], pads 1, stride 1; and stride 2, dilation 2, no B.
  const c1 = b.node(
    Opcode.Conv,
    [
      { shape: [1, 2, 6, 6], data: b.values(72) },
      { shape: [3, 2, 3, 3], data: b.values(54) },
      { shape: [3], data: b.values(3) },
    ],
    [1, 3, 6, 6],
    [1, 1, 1, 1, 1, 1, 1, 1, 1],
  );
  const c1ops = {
    x: floatTensor(c1.commitments[0]),
    w: floatTensor(c1.commitments[1]),
    bias: floatTensor(c1.commitments[2]),
  };
  const geo1 = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1] } as const;
  for (const o of [0, 44, 107])
    b.sums(`Conv 3x3 pad 1 element ${o}`, c1, o, (claimed) => dotClaim(convElement(c1ops, geo1, o, claimed)));
  const c2 = b.node(
    Opcode.Conv,
    [
      { shape: [1, 2, 7, 7], data: b.values(98) },
      { shape: [2, 2, 2, 2], data: b.values(16) },
    ],
    [1, 2, 3, 3],
    [2, 2, 0, 0, 1, 1, 2, 2, 1],
  );
  const c2ops = { x: floatTensor(c2.commitments[0]), w: floatTensor(c2.commitments[1]) };
  const geo2 = { strides: [2, 2], pads: [0, 0, 1, 1], dilations: [2, 2] } as const;
  for (const o of [4, 17])
    b.sums(`Conv stride 2 dilation 2 no bias element ${o}`, c2, o, (claimed) =>
      dotClaim(convElement(c2ops, geo2, o, claimed)),
    );
  const wInf = b.values(54);
  wInf[20] = -Infinity;
  const c3 = b.node(
    Opcode.Conv,
    [
      { shape: [1, 2, 6, 6], data: b.values(72) },
      { shape: [3, 2, 3, 3], data: wInf },
      { shape: [3], data: b.values(3) },
    ],
    [1, 3, 6, 6],
    [1, 1, 1, 1, 1, 1, 1, 1, 1],
  );
  b.add("Conv with an ∞ weight unchecked", c3, 40, 0, Verdict.UNCHECKED);
}

function windowVectors(b: Builder): void {
  const x = b.values(72);
  // MaxPool 2×2 stride 2 and 3×3 stride 1 pad 1.
  const mp = b.node(Opcode.MaxPool, [{ shape: [1, 2, 6, 6], data: x }], [1, 2, 3, 3], [2, 2, 2, 2, 0, 0, 0, 0, 0]);
  const mp2 = b.node(Opcode.MaxPool, [{ shape: [1, 2, 6, 6], data: x }], [1, 2, 6, 6], [3, 3, 1, 1, 1, 1, 1, 1, 0]);
  const xt = floatTensor(mp.commitments[0]);
  const maxOf = (vals: number[]) => toBits(Math.max(...vals.map(fromBits)));
  const window = (o: number, k: number, s: number, p: number, side: number, outSide: number) => {
    const plane = Math.floor(o / (outSide * outSide));
    const oy = Math.floor(o / outSide) % outSide;
    const ox = o % outSide;
    const vals: number[] = [];
    for (let r = 0; r < k; r++)
      for (let c = 0; c < k; c++) {
        const y = oy * s - p + r;
        const xx = ox * s - p + c;
        if (y >= 0 && y < side && xx >= 0 && xx < side) vals.push(xt.at(plane * side * side + y * side + xx));
      }
    return vals;
  };
  for (const o of [0, 13]) {
    const m = maxOf(window(o, 2, 2, 0, 6, 3));
    b.add(`MaxPool 2x2 element ${o} honest`, mp, o, m, Verdict.ADMISSIBLE);
    b.add(`MaxPool 2x2 element ${o} one ulp off`, mp, o, stepUlps(m, 1), Verdict.VIOLATES);
  }
  const m2 = maxOf(window(0, 3, 1, 1, 6, 6));
  b.add("MaxPool 3x3 pad 1 corner honest", mp2, 0, m2, Verdict.ADMISSIBLE);
  b.add("MaxPool 3x3 pad 1 corner another value", mp2, 0, toBits(-3), Verdict.VIOLATES);
  const xn = b.values(72);
  xn[0] = NaN;
  const mpn = b.node(Opcode.MaxPool, [{ shape: [1, 2, 6, 6], data: xn }], [1, 2, 3, 3], [2, 2, 2, 2, 0, 0, 0, 0, 0]);
  b.add("MaxPool with a NaN in the window unchecked", mpn, 0, 0, Verdict.UNCHECKED);

  // AveragePool 3×3 stride 1 pad 1, count_include_pad 0 and 1.
  for (const include of [0, 1]) {
    const ap = b.node(
      Opcode.AveragePool,
      [{ shape: [1, 2, 6, 6], data: x }],
      [1, 2, 6, 6],
      [3, 3, 1, 1, 1, 1, 1, 1, 0, include],
    );
    const g = {
      kernel: [3, 3],
      strides: [1, 1],
      pads: [1, 1, 1, 1],
      dilations: [1, 1],
      countIncludePad: include === 1,
    } as const;
    for (const o of [0, 21]) {
      b.sums(`AveragePool 3x3 pad 1 count_include_pad=${include} element ${o}`, ap, o, (claimed) =>
        meanClaim(averagePoolElement(xt, g, o, claimed)),
      );
    }
  }
  const xi = b.values(72);
  xi[7] = Infinity;
  const api = b.node(
    Opcode.AveragePool,
    [{ shape: [1, 2, 6, 6], data: xi }],
    [1, 2, 6, 6],
    [3, 3, 1, 1, 1, 1, 1, 1, 0, 0],
  );
  b.add("AveragePool with an ∞ in the window unchecked", api, 0, POSITIVE_INFINITY, Verdict.UNCHECKED);

  // GlobalAveragePool over 4×4.
  const gx = b.values(48);
  const gp = b.node(Opcode.GlobalAveragePool, [{ shape: [1, 3, 4, 4], data: gx }], [1, 3, 1, 1]);
  const gt = floatTensor(gp.commitments[0]);
  for (const o of [0, 2])
    b.sums(`GlobalAveragePool 4x4 element ${o}`, gp, o, (claimed) =>
      meanClaim(globalAveragePoolElement(gt, o, claimed)),
    );
  gx[20] = NaN;
  const gpn = b.node(Opcode.GlobalAveragePool, [{ shape: [1, 3, 4, 4], data: gx }], [1, 3, 1, 1]);
  b.add("GlobalAveragePool with a NaN unchecked", gpn, 1, CANONICAL_NAN, Verdict.UNCHECKED);

  // ReduceMean over the last axis (keepdims 1) and the last two (keepdims 0, axes input).
  const rx = b.values(30);
  const rt = bitsOf(rx);
  const r1 = b.node(Opcode.ReduceMean, [{ shape: [2, 3, 5], data: rx }], [2, 3, 1], [1, 2]);
  for (const o of [0, 4]) {
    b.sums(`ReduceMean axes [2] element ${o}`, r1, o, (claimed) =>
      meanClaim({ x: [...rt.subarray(o * 5, o * 5 + 5)], divisor: 5, claimed }),
    );
  }
  const r2 = b.node(
    Opcode.ReduceMean,
    [
      { shape: [2, 3, 5], data: rx },
      { shape: [2], data: BigInt64Array.from([1n, 2n]) },
    ],
    [2],
    [0, 1, 2],
  );
  b.sums("ReduceMean axes [1, 2] element 1", r2, 1, (claimed) =>
    meanClaim({ x: [...rt.subarray(15, 30)], divisor: 15, claimed }),
  );
  const rn = b.values(30);
  rn[3] = -Infinity;
  const r3 = b.node(Opcode.ReduceMean, [{ shape: [2, 3, 5], data: rn }], [2, 3, 1], [1, 2]);
  b.add("ReduceMean with an ∞ unchecked", r3, 0, 0, Verdict.UNCHECKED);
}

function pointwiseVectors(b: Builder): void {
  const f = (v: number) => toBits(Math.fround(v));
  // Add, Sub, Mul, Div with broadcasting: A [2, 3], B [3].
  const a = b.values(6);
  const bb = Float32Array.from([0.75, -1.5, 3]);
  const ops = [
    [Opcode.Add, (p: number, q: number) => p + q],
    [Opcode.Sub, (p: number, q: number) => p - q],
    [Opcode.Mul, (p: number, q: number) => p * q],
    [Opcode.Div, (p: number, q: number) => p / q],
  ] as const;
  for (const [op, fn] of ops) {
    const n = b.node(
      op,
      [
        { shape: [2, 3], data: a },
        { shape: [3], data: bb },
      ],
      [2, 3],
    );
    const o = 4;
    // Rounding the double result to fp32 is the correctly rounded fp32 result (53 ≥ 2·24 + 2).
    const honest = f(fn(a[o] as number, bb[o % 3] as number));
    b.add(`${opName(op)} broadcast element ${o} honest`, n, o, honest, Verdict.ADMISSIBLE);
    b.add(`${opName(op)} broadcast element ${o} three ulps off`, n, o, stepUlps(honest, 3), Verdict.VIOLATES);
    const big = b.node(
      op,
      [
        { shape: [2, 3], data: Float32Array.from([3e38, 3e38, 3e38, 3e38, 3e38, 3e38]) },
        { shape: [3], data: Float32Array.from([op === Opcode.Div ? 1e-3 : 3e38, 3e38, 3e38]) },
      ],
      [2, 3],
    );
    if (op !== Opcode.Sub)
      b.add(`${opName(op)} past fp32's range unchecked`, big, 0, POSITIVE_INFINITY, Verdict.UNCHECKED);
  }
  const sub = b.node(
    Opcode.Sub,
    [
      { shape: [1], data: Float32Array.from([Infinity]) },
      { shape: [1], data: Float32Array.from([Infinity]) },
    ],
    [1],
  );
  b.add("Sub ∞ − ∞ is NaN", sub, 0, CANONICAL_NAN, Verdict.ADMISSIBLE);
  b.add("Sub ∞ − ∞ claimed 0", sub, 0, 0, Verdict.VIOLATES);

  // Sqrt.
  const s = Float32Array.from([2, 0.25, 7, -1]);
  const sq = b.node(Opcode.Sqrt, [{ shape: [4], data: s }], [4]);
  b.add("Sqrt 2 honest", sq, 0, f(Math.sqrt(2)), Verdict.ADMISSIBLE);
  b.add("Sqrt 2 two ulps off", sq, 0, stepUlps(f(Math.sqrt(2)), 2), Verdict.VIOLATES);
  b.add("Sqrt −1 is NaN", sq, 3, CANONICAL_NAN, Verdict.ADMISSIBLE);

  // Relu, Identity, Flatten, Reshape, Transpose: bit equality.
  const x = b.values(24);
  const xb = bitsOf(x);
  const neg = xb.findIndex((v) => v >>> 31 === 1 && (v & 0x7fffffff) !== 0);
  const relu = b.node(Opcode.Relu, [{ shape: [2, 3, 4], data: x }], [2, 3, 4]);
  b.add("Relu of a negative honest", relu, neg, 0, Verdict.ADMISSIBLE);
  b.add("Relu of a negative claims it", relu, neg, xb[neg] as number, Verdict.VIOLATES);
  const id = b.node(Opcode.Identity, [{ shape: [2, 3, 4], data: x }], [2, 3, 4]);
  b.add("Identity element 9 honest", id, 9, xb[9] as number, Verdict.ADMISSIBLE);
  b.add("Identity element 9 one ulp off", id, 9, stepUlps(xb[9] as number, 1), Verdict.VIOLATES);
  const fl = b.node(Opcode.Flatten, [{ shape: [2, 3, 4], data: x }], [2, 12], [1]);
  b.add("Flatten element 17 honest", fl, 17, xb[17] as number, Verdict.ADMISSIBLE);
  b.add(
    "Flatten element 17 another element",
    fl,
    17,
    xb[16] === xb[17] ? 0x3f800001 : (xb[16] as number),
    Verdict.VIOLATES,
  );
  const rs = b.node(
    Opcode.Reshape,
    [
      { shape: [2, 3, 4], data: x },
      { shape: [2], data: BigInt64Array.from([4n, 6n]) },
    ],
    [4, 6],
  );
  b.add("Reshape element 23 honest", rs, 23, xb[23] as number, Verdict.ADMISSIBLE);
  b.add("Reshape element 23 one ulp off", rs, 23, stepUlps(xb[23] as number, 1), Verdict.VIOLATES);
  // Transpose perm [2, 0, 1]: output [4, 2, 3]; output (i, j, k) is x (j, k, i).
  const tr = b.node(Opcode.Transpose, [{ shape: [2, 3, 4], data: x }], [4, 2, 3], [2, 0, 1]);
  const o = 1 * 6 + 1 * 3 + 2; // (1, 1, 2) ← x (1, 2, 1)
  b.add("Transpose [2,0,1] element 11 honest", tr, o, xb[1 * 12 + 2 * 4 + 1] as number, Verdict.ADMISSIBLE);
  b.add(
    "Transpose [2,0,1] element 11 the untransposed element",
    tr,
    o,
    xb[o] === xb[1 * 12 + 2 * 4 + 1] ? 0x3f800001 : (xb[o] as number),
    Verdict.VIOLATES,
  );

  // Max, Min over three broadcast inputs.
  const m1 = b.values(6);
  const m2 = b.values(3);
  const m3 = Float32Array.from([0.125]);
  for (const [op, pick] of [
    [Opcode.Max, Math.max],
    [Opcode.Min, Math.min],
  ] as const) {
    const n = b.node(
      op,
      [
        { shape: [2, 3], data: m1 },
        { shape: [3], data: m2 },
        { shape: [1], data: m3 },
      ],
      [2, 3],
    );
    const v = f(pick(m1[5] as number, m2[2] as number, 0.125));
    b.add(`${opName(op)} of three element 5 honest`, n, 5, v, Verdict.ADMISSIBLE);
    b.add(`${opName(op)} of three element 5 another value`, n, 5, toBits(7.5), Verdict.VIOLATES);
    const nn = b.node(
      op,
      [
        { shape: [2, 3], data: m1 },
        { shape: [3], data: Float32Array.from([NaN, 1, 2]) },
      ],
      [2, 3],
    );
    b.add(`${opName(op)} with a NaN unchecked`, nn, 3, 0, Verdict.UNCHECKED);
  }

  // Gather axis 0 of data [4, 3] with int64 indices [2] (one negative).
  const gd = b.values(12);
  const gb = bitsOf(gd);
  const ga = b.node(
    Opcode.Gather,
    [
      { shape: [4, 3], data: gd },
      { shape: [2], data: BigInt64Array.from([3n, -4n]) },
    ],
    [2, 3],
    [0],
  );
  b.add("Gather index 3 element 1 honest", ga, 1, gb[3 * 3 + 1] as number, Verdict.ADMISSIBLE);
  b.add("Gather index −4 element 5 honest", ga, 5, gb[0 * 3 + 2] as number, Verdict.ADMISSIBLE);
  b.add(
    "Gather index −4 element 5 the wrong row",
    ga,
    5,
    gb[3 * 3 + 2] === gb[2] ? 0x3f800001 : (gb[3 * 3 + 2] as number),
    Verdict.VIOLATES,
  );

  // ArgMax over the last axis of [3, 5], keepdims 1; ties for select_last_index.
  const am = Float32Array.from([1, 5, 2, 5, 0, -1, -0, 0, -2, -3, 4, NaN, 1, 2, 3]);
  for (const last of [0, 1]) {
    const n = b.node(Opcode.ArgMax, [{ shape: [3, 5], data: am }], [3, 1], [1, 1, last]);
    const index = last === 1 ? 3 : 1;
    b.add(`ArgMax select_last=${last} row 0 honest`, n, 0, index, Verdict.ADMISSIBLE);
    b.add(`ArgMax select_last=${last} row 0 the other tie`, n, 0, 4 - index, Verdict.VIOLATES);
    b.add(`ArgMax select_last=${last} row 1 −0 = +0 tie`, n, 1, last === 1 ? 2 : 1, Verdict.ADMISSIBLE);
    b.add(`ArgMax select_last=${last} row 0 a negative claim`, n, 0, -1, Verdict.VIOLATES);
    b.add(`ArgMax select_last=${last} row with a NaN unchecked`, n, 2, 0, Verdict.UNCHECKED);
  }
}

/** Descriptors whose attributes the checks do not cover, and claims that are no fp32 pattern. */
function refusedVectors(b: Builder): void {
  const attrs = (node: NodeDescriptor, i: number, v: number): NodeDescriptor => ({
    ...node,
    attrs: node.attrs.map((a, j) => (j === i ? BigInt(v) : a)),
  });
  const INVALID_ATTRIBUTE = "InvalidAttribute(uint256,int256)";
  const conv = b.node(
    Opcode.Conv,
    [
      { shape: [1, 2, 5, 5], data: b.values(50) },
      { shape: [2, 2, 3, 3], data: b.values(36) },
    ],
    [1, 2, 3, 3],
    [1, 1, 0, 0, 0, 0, 1, 1, 1],
  );
  b.refuse("Conv group 2", conv, 4, 0, INVALID_ATTRIBUTE, (n) => attrs(n, 8, 2));
  b.refuse("Conv stride 0", conv, 4, 0, INVALID_ATTRIBUTE, (n) => attrs(n, 0, 0));
  const pool = b.node(
    Opcode.MaxPool,
    [{ shape: [1, 1, 4, 4], data: b.values(16) }],
    [1, 1, 2, 2],
    [2, 2, 2, 2, 0, 0, 0, 0, 0],
  );
  b.refuse("MaxPool ceil_mode 1", pool, 1, 0, INVALID_ATTRIBUTE, (n) => attrs(n, 8, 1));
  const avg = b.node(
    Opcode.AveragePool,
    [{ shape: [1, 1, 4, 4], data: b.values(16) }],
    [1, 1, 2, 2],
    [2, 2, 2, 2, 0, 0, 0, 0, 0, 0],
  );
  b.refuse("AveragePool count_include_pad 2", avg, 1, 0, INVALID_ATTRIBUTE, (n) => attrs(n, 9, 2));
  const gemm = b.node(
    Opcode.Gemm,
    [
      { shape: [2, 8], data: b.values(16) },
      { shape: [8, 3], data: b.values(24), layout: Layout.TRANSPOSED },
    ],
    [2, 3],
    [ONE, ONE, 0, 0],
  );
  b.refuse("Gemm transA 2", gemm, 1, 0, INVALID_ATTRIBUTE, (n) => attrs(n, 2, 2));
  b.refuse("Gemm claim 2^32", gemm, 1, 0, "ClaimOutOfRange(int256)", undefined, 1n << 32n);
  b.refuse("Gemm claim -1", gemm, 1, 0, "ClaimOutOfRange(int256)", undefined, -1n);
  const rm = b.node(Opcode.ReduceMean, [{ shape: [2, 3, 4], data: b.values(24) }], [2, 3, 1], [1, 2]);
  b.refuse("ReduceMean over an inner axis", rm, 0, 0, INVALID_ATTRIBUTE, (n) => attrs(n, 1, 1));
  const x = b.values(12);
  const tr = b.node(Opcode.Transpose, [{ shape: [2, 3, 2], data: x }], [2, 3, 2], [0, 1, 2]);
  b.refuse("Transpose perm [0, 0, 2]", tr, 3, bitsOf(x)[3] as number, INVALID_ATTRIBUTE, (n) => attrs(n, 1, 0));
  const am = b.node(Opcode.ArgMax, [{ shape: [2, 3], data: b.values(6) }], [2, 1], [1, 1, 0]);
  b.refuse("ArgMax over the first axis", am, 0, 0, INVALID_ATTRIBUTE, (n) => attrs(n, 0, 0));
  const fl = b.node(Opcode.Flatten, [{ shape: [2, 3, 2], data: x }], [2, 6], [1]);
  b.refuse("Flatten axis 4 of rank 3", fl, 3, bitsOf(x)[3] as number, INVALID_ATTRIBUTE, (n) => attrs(n, 0, 4));
  const relu = b.node(Opcode.Relu, [{ shape: [12], data: x }], [12]);
  b.refuse("Relu with an attribute", relu, 3, 0, "AttributeCountMismatch(uint256,uint256)", (n) => ({
    ...n,
    attrs: [0n],
  }));
}

export function floatStepVectors(): FloatStepVectors {
  const b = new Builder(new Rng(SEED));
  dotVectors(b);
  windowVectors(b);
  pointwiseVectors(b);
  refusedVectors(b);
  return {
    description:
      "Routed float32 one-step vectors (docs/PROTOCOL.md §10, §11.10): FloatStepVerifier.verdict(node, operandRoots, outIndex, claimed, proof, policy.hash) must return `verdict` (0 admissible, 1 violates, 2 unchecked), and every call of `reverts` must revert with `error`; `node` is abi.encode(NodeDescriptor). Generated by scripts/vectors-float-step.ts; do not edit.",
    policy: { encoded: encodePolicy(P), hash: policyHash(P) },
    cases: b.cases,
    reverts: b.reverts,
  };
}

export function floatStepVectorsJson(): string {
  const v = floatStepVectors();
  return (
    `{"description":${JSON.stringify(v.description)},\n"policy":${JSON.stringify(v.policy)},\n` +
    `"cases":[\n${v.cases.map((c) => JSON.stringify(c)).join(",\n")}\n],\n` +
    `"reverts":[\n${v.reverts.map((c) => JSON.stringify(c)).join(",\n")}\n]}\n`
  );
}
