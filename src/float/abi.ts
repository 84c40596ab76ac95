/**
 * The ABI of `FloatOneStep`'s operator checks with operand openings (contracts/ops/float/),
 * written out so that proofs can be encoded without the build's artifacts — the watcher's
 * proof builder and the golden vectors use it; the Solidity suite replays the encoded calls,
 * so a drift from the contract fails there.
 */
import { encodeFunctionData, type Hex } from "viem";
import type { ConvProof } from "./conv.ts";
import type { GemmProof } from "./gemm.ts";
import type { NumericsPolicy } from "./policy.ts";
import type { GlobalPoolProof, PoolProof } from "./pool.ts";

const SPEC = {
  type: "tuple",
  components: [
    { name: "dtype", type: "uint8" },
    { name: "layout", type: "uint8" },
    { name: "shape", type: "uint32[]" },
  ],
} as const;

const RANGE = {
  type: "tuple",
  components: [
    { name: "root", type: "bytes32" },
    { name: "spec", ...SPEC },
    {
      name: "opening",
      type: "tuple",
      components: [
        { name: "firstWord", type: "uint256" },
        { name: "words", type: "bytes32[]" },
        { name: "proof", type: "bytes32[]" },
      ],
    },
  ],
} as const;

const WORDS = {
  type: "tuple",
  components: [
    { name: "root", type: "bytes32" },
    { name: "spec", ...SPEC },
    { name: "words", type: "bytes32[]" },
    { name: "proof", type: "bytes32[]" },
  ],
} as const;

const POLICY = {
  type: "tuple",
  components: [
    { name: "version", type: "uint8" },
    { name: "accumulationBits", type: "uint8" },
    { name: "inputBits", type: "uint8" },
    { name: "etaExponent", type: "int16" },
    { name: "transcendentalUlps", type: "uint16" },
  ],
} as const;

const CONV_GEOMETRY = {
  type: "tuple",
  components: [
    { name: "strides", type: "uint32[2]" },
    { name: "pads", type: "uint32[4]" },
    { name: "dilations", type: "uint32[2]" },
  ],
} as const;

const POOL_GEOMETRY = {
  type: "tuple",
  components: [
    { name: "kernel", type: "uint32[2]" },
    { name: "strides", type: "uint32[2]" },
    { name: "pads", type: "uint32[4]" },
    { name: "dilations", type: "uint32[2]" },
    { name: "countIncludePad", type: "bool" },
  ],
} as const;

const GEMM_ATTRIBUTES = {
  type: "tuple",
  components: [
    { name: "alpha", type: "uint32" },
    { name: "beta", type: "uint32" },
    { name: "transA", type: "bool" },
    { name: "transB", type: "bool" },
  ],
} as const;

const CLAIM = [
  { name: "outIndex", type: "uint256" },
  { name: "claimed", type: "uint32" },
] as const;
const HINT = { name: "hint", type: "int256" } as const;
const VERDICT = [{ name: "", type: "uint8" }] as const;

export const FLOAT_OPERATOR_ABI = [
  {
    type: "function",
    name: "convVerdict",
    stateMutability: "pure",
    inputs: [
      { name: "x", ...WORDS },
      { name: "w", ...RANGE },
      { name: "bias", ...RANGE },
      { name: "geometry", ...CONV_GEOMETRY },
      ...CLAIM,
      HINT,
      { name: "policy", ...POLICY },
    ],
    outputs: VERDICT,
  },
  {
    type: "function",
    name: "gemmVerdict",
    stateMutability: "pure",
    inputs: [
      { name: "a", ...RANGE },
      { name: "b", ...RANGE },
      { name: "c", ...RANGE },
      { name: "attributes", ...GEMM_ATTRIBUTES },
      ...CLAIM,
      HINT,
      { name: "policy", ...POLICY },
    ],
    outputs: VERDICT,
  },
  {
    type: "function",
    name: "maxPoolVerdict",
    stateMutability: "pure",
    inputs: [{ name: "x", ...WORDS }, { name: "geometry", ...POOL_GEOMETRY }, ...CLAIM],
    outputs: VERDICT,
  },
  {
    type: "function",
    name: "averagePoolVerdict",
    stateMutability: "pure",
    inputs: [
      { name: "x", ...WORDS },
      { name: "geometry", ...POOL_GEOMETRY },
      ...CLAIM,
      HINT,
      { name: "policy", ...POLICY },
    ],
    outputs: VERDICT,
  },
  {
    type: "function",
    name: "globalAveragePoolVerdict",
    stateMutability: "pure",
    inputs: [{ name: "x", ...RANGE }, ...CLAIM, HINT, { name: "policy", ...POLICY }],
    outputs: VERDICT,
  },
] as const;

export function convCall(p: ConvProof, policy: NumericsPolicy): Hex {
  return encodeFunctionData({
    abi: FLOAT_OPERATOR_ABI,
    functionName: "convVerdict",
    args: [p.x, p.w, p.bias, p.geometry, p.outIndex, p.claimed, p.hint, policy],
  });
}

export function gemmCall(p: GemmProof, policy: NumericsPolicy): Hex {
  return encodeFunctionData({
    abi: FLOAT_OPERATOR_ABI,
    functionName: "gemmVerdict",
    args: [p.a, p.b, p.c, p.attributes, p.outIndex, p.claimed, p.hint, policy],
  });
}

export function maxPoolCall(p: PoolProof): Hex {
  return encodeFunctionData({
    abi: FLOAT_OPERATOR_ABI,
    functionName: "maxPoolVerdict",
    args: [p.x, p.geometry, p.outIndex, p.claimed],
  });
}

export function averagePoolCall(p: PoolProof, policy: NumericsPolicy): Hex {
  return encodeFunctionData({
    abi: FLOAT_OPERATOR_ABI,
    functionName: "averagePoolVerdict",
    args: [p.x, p.geometry, p.outIndex, p.claimed, p.hint, policy],
  });
}

export function globalAveragePoolCall(p: GlobalPoolProof, policy: NumericsPolicy): Hex {
  return encodeFunctionData({
    abi: FLOAT_OPERATOR_ABI,
    functionName: "globalAveragePoolVerdict",
    args: [p.x, p.outIndex, p.claimed, p.hint, policy],
  });
}
