import type { Hex } from "viem";
import { modelIdOf, Profile, type ModelParams, type ModelSpec } from "../model/modelSpec.ts";
import type { CompiledModel } from "./compile.ts";

export interface ModelSpecOptions {
  readonly uri: string;
  readonly params: ModelParams;
}

/** The ModelSpec a registration of this compiled model binds (docs/PROTOCOL.md §7). */
export function modelSpecFor(compiled: CompiledModel, options: ModelSpecOptions): ModelSpec {
  const spec = (s: CompiledModel["input"]) => ({ dtype: s.dtype, layout: s.layout, shape: [...s.shape] });
  return {
    fileHash: compiled.fileHash,
    graphRoot: compiled.graphRoot,
    nodeCount: compiled.nodes.length,
    profile: Profile.EXACT_INT,
    input: spec(compiled.input),
    output: spec(compiled.output),
    uri: options.uri,
    params: options.params,
  };
}

/** modelId of this compiled model under the given URI and parameters. */
export function modelIdFor(compiled: CompiledModel, options: ModelSpecOptions): Hex {
  return modelIdOf(modelSpecFor(compiled, options));
}
