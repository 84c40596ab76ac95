import { bytesToHex, encodeAbiParameters, type Hex } from "viem";
import { at } from "../tensor/at.ts";
import { DType, dtypeInfo } from "../tensor/dtype.ts";
import {
  Layout,
  TENSOR_SPEC_ABI,
  toAbiSpec,
  committedPosition,
  transposedPlane,
  type TensorSpec,
} from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";
import { TensorCommitment, elementFromWords } from "../tensor/commitment.ts";
import { Rng } from "./rng.ts";

/**
 * Golden vectors of the tensor format (docs/PROTOCOL.md §10). Each case carries
 * readable fields for people and an `abi` blob that the Solidity tests decode,
 * so both languages check the same bytes.
 */
export interface TensorVector {
  name: string;
  spec: { dtype: number; layout: number; shape: number[] };
  values: string[];
  packed: Hex;
  words: Hex[];
  dataRoot: Hex;
  root: Hex;
  positions: { index: number; position: number }[];
  openings: OpeningVector[];
  abi: Hex;
}

export interface OpeningVector {
  firstWord: number;
  words: Hex[];
  proof: Hex[];
  start: number;
  count: number;
  values: string[];
}

export const OPENING_CASE_ABI = {
  type: "tuple",
  components: [
    { name: "firstWord", type: "uint256" },
    { name: "words", type: "bytes32[]" },
    { name: "proof", type: "bytes32[]" },
    { name: "start", type: "uint256" },
    { name: "count", type: "uint256" },
    { name: "values", type: "int256[]" },
  ],
} as const;

export const TENSOR_CASE_ABI = {
  type: "tuple",
  components: [
    { ...TENSOR_SPEC_ABI, name: "spec" },
    { name: "packed", type: "bytes" },
    { name: "dataRoot", type: "bytes32" },
    { name: "root", type: "bytes32" },
    { name: "rowMajor", type: "uint256[]" },
    { name: "committed", type: "uint256[]" },
    { name: "openings", type: "tuple[]", components: OPENING_CASE_ABI.components },
  ],
} as const;

const CASES: { name: string; spec: TensorSpec; fill: "edges" | "random" | "sequence" }[] = [
  { name: "int8 scalar", spec: { dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [] }, fill: "edges" },
  { name: "uint8 one word", spec: { dtype: DType.UINT8, layout: Layout.ROW_MAJOR, shape: [32] }, fill: "edges" },
  { name: "int8 partial word", spec: { dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 5] }, fill: "edges" },
  { name: "int8 image", spec: { dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [1, 28, 28] }, fill: "random" },
  { name: "int32 vector", spec: { dtype: DType.INT32, layout: Layout.ROW_MAJOR, shape: [1, 10] }, fill: "edges" },
  { name: "int32 three levels", spec: { dtype: DType.INT32, layout: Layout.ROW_MAJOR, shape: [7, 9] }, fill: "random" },
  { name: "int64 vector", spec: { dtype: DType.INT64, layout: Layout.ROW_MAJOR, shape: [5] }, fill: "edges" },
  {
    name: "int8 weights transposed",
    spec: { dtype: DType.INT8, layout: Layout.TRANSPOSED, shape: [40, 3] },
    fill: "sequence",
  },
  {
    name: "int32 batch transposed",
    spec: { dtype: DType.INT32, layout: Layout.TRANSPOSED, shape: [2, 3, 4] },
    fill: "sequence",
  },
  { name: "uint8 large", spec: { dtype: DType.UINT8, layout: Layout.ROW_MAJOR, shape: [33, 32] }, fill: "random" },
];

export function tensorVectors(): TensorVector[] {
  const rng = new Rng(0x5eed);
  return CASES.map(({ name, spec, fill }) => buildCase(name, spec, fill, rng));
}

function buildCase(name: string, spec: TensorSpec, fill: "edges" | "random" | "sequence", rng: Rng): TensorVector {
  const info = dtypeInfo(spec.dtype);
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const edges = [info.min, info.max, 0n, -1n, 1n, info.min + 1n, info.max - 1n];
  const values: bigint[] = [];
  for (let i = 0; i < n; i++) {
    if (fill === "edges") values.push(at(edges, i % edges.length));
    else if (fill === "sequence") values.push(BigInt(i));
    else values.push(rng.bigintIn(info.min, info.max));
  }
  const tensor = Tensor.fromBigInts(spec, values);
  const c = new TensorCommitment(tensor);
  const words: Hex[] = [];
  for (let w = 0; w < c.wordCount; w++) words.push(c.word(w));

  const ranges: [number, number][] = [
    [0, 1],
    [n - 1, 1],
    [Math.floor(n / 3), Math.max(1, Math.floor(n / 3))],
  ];
  if (n > 40) ranges.push([35, 40]);
  if (spec.layout === Layout.TRANSPOSED) {
    const { rows } = transposedPlane(spec);
    ranges.push([rows, rows]);
  }
  const openings = ranges
    .filter(([s, cnt]) => s >= 0 && s + cnt <= n)
    .map(([start, count]) => {
      const o = c.openPositions(start, count);
      const vals: string[] = [];
      for (let p = start; p < start + count; p++) vals.push(elementFromWords(spec, o.firstWord, o.words, p).toString());
      return { firstWord: o.firstWord, words: o.words, proof: o.proof, start, count, values: vals };
    });
  const positions = [0, 1, n - 1, Math.floor(n / 2)]
    .filter((i, k, a) => i >= 0 && i < n && a.indexOf(i) === k)
    .map((index) => ({ index, position: committedPosition(spec, index) }));

  const abi = encodeAbiParameters(
    [TENSOR_CASE_ABI],
    [
      {
        spec: toAbiSpec(spec),
        packed: bytesToHex(c.packed),
        dataRoot: c.dataRoot,
        root: c.root,
        rowMajor: positions.map((p) => BigInt(p.index)),
        committed: positions.map((p) => BigInt(p.position)),
        openings: openings.map((o) => ({
          firstWord: BigInt(o.firstWord),
          words: o.words,
          proof: o.proof,
          start: BigInt(o.start),
          count: BigInt(o.count),
          values: o.values.map(BigInt),
        })),
      },
    ],
  );
  return {
    name,
    spec: { dtype: spec.dtype, layout: spec.layout, shape: [...spec.shape] },
    values: tensor.toBigInts().map(String),
    packed: bytesToHex(c.packed),
    words,
    dataRoot: c.dataRoot,
    root: c.root,
    positions,
    openings,
    abi,
  };
}
