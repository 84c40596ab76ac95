import type { Hex } from "viem";
import type { CompiledModel } from "../onnx/compile.ts";
import type { TensorSpec } from "../tensor/spec.ts";

/** A model registration as `ModelRegistry.model(modelId)` returns it. */
export interface RegisteredModel {
  readonly fileHash: Hex;
  readonly graphRoot: Hex;
  readonly nodeCount: number;
  readonly profile: number;
  /** The numerics policy's hash (float32), zero for the exact integer profile; absent where a caller does not check it. */
  readonly policyHash?: Hex;
  readonly input: { readonly dtype: number; readonly layout: number; readonly shape: readonly number[] };
  readonly output: { readonly dtype: number; readonly layout: number; readonly shape: readonly number[] };
  readonly uri: string;
  readonly params: {
    readonly challengeWindow: bigint;
    readonly responseWindow: bigint;
    readonly collateralPerJob: bigint;
    readonly challengerBond: bigint;
  };
}

/**
 * Every way a compiled file differs from a registration (empty when it matches).
 * A daemon serves or verifies a model only when this is empty: a file that
 * compiles to another graph would make it commit to, or check against, the
 * wrong model.
 */
export function registrationProblems(registered: RegisteredModel, compiled: CompiledModel): string[] {
  const problems: string[] = [];
  const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (!eq(registered.fileHash, compiled.fileHash)) {
    problems.push(`fileHash ${registered.fileHash} registered, file has ${compiled.fileHash}`);
  }
  if (!eq(registered.graphRoot, compiled.graphRoot)) {
    problems.push(`graphRoot ${registered.graphRoot} registered, file compiles to ${compiled.graphRoot}`);
  }
  if (registered.nodeCount !== compiled.nodes.length) {
    problems.push(`nodeCount ${registered.nodeCount} registered, file has ${compiled.nodes.length}`);
  }
  if (registered.profile !== compiled.profile) {
    problems.push(`profile ${registered.profile} registered, the file is a profile ${compiled.profile} model`);
  }
  if (registered.policyHash !== undefined && !eq(registered.policyHash, compiled.policyHash)) {
    problems.push(`policyHash ${registered.policyHash} registered, the file binds ${compiled.policyHash}`);
  }
  const spec = (s: { dtype: number; layout: number; shape: readonly number[] }) =>
    `dtype ${s.dtype} layout ${s.layout} [${s.shape.join(",")}]`;
  const same = (a: { dtype: number; layout: number; shape: readonly number[] }, b: TensorSpec) => spec(a) === spec(b);
  if (!same(registered.input, compiled.input)) {
    problems.push(`input ${spec(registered.input)} registered, file has ${spec(compiled.input)}`);
  }
  if (!same(registered.output, compiled.output)) {
    problems.push(`output ${spec(registered.output)} registered, file has ${spec(compiled.output)}`);
  }
  return problems;
}
