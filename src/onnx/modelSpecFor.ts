import type { Hex } from "viem";
import { modelIdOf, type ModelParams, type ModelSpec } from "../model/modelSpec.ts";
import type { CompiledModel } from "./compile.ts";

export interface ModelSpecOptions {
  readonly uri: string;
  readonly params: ModelParams;
}

/** What a registration binds of the file itself: everything of a ModelSpec but its URI and parameters. */
export type FileBinding = Omit<ModelSpec, "uri" | "params">;

/** The file's part of any registration of this compiled model (plain data: it travels as JSON to executors). */
export function fileBindingOf(compiled: CompiledModel): FileBinding {
  const spec = (s: CompiledModel["input"]) => ({ dtype: s.dtype, layout: s.layout, shape: [...s.shape] });
  return {
    fileHash: compiled.fileHash,
    graphRoot: compiled.graphRoot,
    nodeCount: compiled.nodes.length,
    profile: compiled.profile,
    policyHash: compiled.policyHash,
    input: spec(compiled.input),
    output: spec(compiled.output),
  };
}

/** The ModelSpec a registration of this compiled model binds (docs/PROTOCOL.md §7). */
export function modelSpecFor(compiled: CompiledModel, options: ModelSpecOptions): ModelSpec {
  return { ...fileBindingOf(compiled), uri: options.uri, params: options.params };
}

/** modelId of this compiled model under the given URI and parameters. */
export function modelIdFor(compiled: CompiledModel, options: ModelSpecOptions): Hex {
  return modelIdOf(modelSpecFor(compiled, options));
}
