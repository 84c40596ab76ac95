import { encodeAbiParameters, keccak256, type Hex } from "viem";
import { TENSOR_SPEC_ABI, toAbiSpec, type TensorSpec } from "../tensor/spec.ts";

/**
 * Verification profiles (docs/PROTOCOL.md §7): exact integer graphs, and float32 graphs
 * checked within the bounds of a numerics policy (§11).
 */
export const Profile = {
  EXACT_INT: 1,
  FLOAT32: 2,
} as const;
export type Profile = (typeof Profile)[keyof typeof Profile];

/** The policyHash of an exact integer model: it has no numerics policy. */
export const NO_POLICY: Hex = `0x${"0".repeat(64)}`;

/** Economic and timing parameters fixed at registration (seconds and token base units). */
export interface ModelParams {
  readonly challengeWindow: bigint;
  readonly responseWindow: bigint;
  readonly collateralPerJob: bigint;
  readonly challengerBond: bigint;
}

/** Everything a modelId binds (docs/PROTOCOL.md §7). */
export interface ModelSpec {
  readonly fileHash: Hex;
  readonly graphRoot: Hex;
  readonly nodeCount: number;
  readonly profile: Profile;
  /** keccak256(abi.encode(NumericsPolicy)) for float32 (§11.2), {@link NO_POLICY} for exact integer. */
  readonly policyHash: Hex;
  readonly input: TensorSpec;
  readonly output: TensorSpec;
  readonly uri: string;
  readonly params: ModelParams;
}

export const MODEL_PARAMS_ABI = {
  type: "tuple",
  components: [
    { name: "challengeWindow", type: "uint64" },
    { name: "responseWindow", type: "uint64" },
    { name: "collateralPerJob", type: "uint128" },
    { name: "challengerBond", type: "uint128" },
  ],
} as const;

export const MODEL_SPEC_ABI = {
  type: "tuple",
  components: [
    { name: "fileHash", type: "bytes32" },
    { name: "graphRoot", type: "bytes32" },
    { name: "nodeCount", type: "uint32" },
    { name: "profile", type: "uint8" },
    { name: "policyHash", type: "bytes32" },
    { ...TENSOR_SPEC_ABI, name: "input" },
    { ...TENSOR_SPEC_ABI, name: "output" },
    { name: "uri", type: "string" },
    { ...MODEL_PARAMS_ABI, name: "params" },
  ],
} as const;

export function toAbiModelSpec(m: ModelSpec) {
  return { ...m, input: toAbiSpec(m.input), output: toAbiSpec(m.output) };
}

/** modelId = keccak256(abi.encode(ModelSpec)). */
export function modelIdOf(m: ModelSpec): Hex {
  return keccak256(encodeAbiParameters([MODEL_SPEC_ABI], [toAbiModelSpec(m)]));
}

/** fileHash = keccak256 of the ONNX file's bytes. */
export function fileHashOf(file: Uint8Array): Hex {
  return keccak256(file);
}
