/**
 * The model of a job, as registered: its spec read from the ModelRegistry, its file
 * fetched by URI (or given), and checked to be exactly what the modelId binds.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Address, Hex, PublicClient } from "viem";
import { readModel } from "../chain/read/registry.ts";
import { modelIdOf, Profile, type ModelSpec } from "../model/modelSpec.ts";
import { compileModel, type CompiledModel } from "../onnx/compile.ts";
import { Limits } from "../onnx/limits.ts";
import { modelSpecFor } from "../onnx/modelSpecFor.ts";
import type { DType } from "../tensor/dtype.ts";
import type { Layout } from "../tensor/spec.ts";
import { fetchUri, resolveFileUri } from "./fetchUri.ts";

/**
 * A float32 model: this replay judges every move against its own bit-exact re-execution,
 * which an honest float trace need not match (docs/PROTOCOL.md §11.3), so it refuses rather
 * than call honest rounding fraud.
 */
export class UnsupportedProfileError extends Error {
  override readonly name = "UnsupportedProfileError";
}

/** The file does not hash to the registration, or compiles to another graph. */
export class ModelMismatchError extends Error {
  override readonly name = "ModelMismatchError";
}

export interface ReplayModel {
  readonly spec: ModelSpec;
  readonly compiled: CompiledModel;
  /** Where the file came from (a path or the URI). */
  readonly source: string;
  /** Class names from a model card next to the file (`<name>.card.json`, output.labels), if any. */
  readonly labels?: readonly string[];
}

/** The registered spec of `modelId`. */
export async function readModelSpec(client: PublicClient, registry: Address, modelId: Hex): Promise<ModelSpec> {
  const m = await readModel(client, { address: registry, modelId });
  const spec = (s: { dtype: number; layout: number; shape: readonly number[] }) => ({
    dtype: s.dtype as DType,
    layout: s.layout as Layout,
    shape: [...s.shape],
  });
  return {
    fileHash: m.fileHash,
    graphRoot: m.graphRoot,
    nodeCount: m.nodeCount,
    profile: m.profile as Profile,
    policyHash: m.policyHash,
    input: spec(m.input),
    output: spec(m.output),
    uri: m.uri,
    params: { ...m.params },
  };
}

/** Loads the file (given, or by the registered URI) and checks it is the registered model. */
export async function loadReplayModel(spec: ModelSpec, modelId: Hex, file?: string): Promise<ReplayModel> {
  const source = file !== undefined ? resolve(file) : spec.uri;
  const bytes =
    file !== undefined ? new Uint8Array(readFileSync(source)) : await fetchUri(spec.uri, Limits.MAX_FILE_BYTES);
  const compiled = compileModel(bytes);
  if (compiled.fileHash !== spec.fileHash) {
    throw new ModelMismatchError(`${source} hashes to ${compiled.fileHash}, the registration binds ${spec.fileHash}`);
  }
  const id = modelIdOf(modelSpecFor(compiled, { uri: spec.uri, params: spec.params }));
  if (id !== modelId) throw new ModelMismatchError(`${source} compiles to model ${id}, the job names ${modelId}`);
  if (compiled.profile === Profile.FLOAT32) {
    throw new UnsupportedProfileError(
      `model ${modelId} is a float32 model: the replay judges moves bit for bit against its own re-execution, which an honest float trace need not match; its one-step verdicts are on chain (FloatStepChecked)`,
    );
  }
  const path = file !== undefined ? source : spec.uri.startsWith("file://") ? resolveFileUri(spec.uri) : undefined;
  return { spec, compiled, source: path ?? source, labels: path !== undefined ? cardLabels(path) : undefined };
}

function cardLabels(modelPath: string): readonly string[] | undefined {
  const card = modelPath.replace(/\.onnx$/, ".card.json");
  if (card === modelPath || !existsSync(card)) return undefined;
  try {
    const json = JSON.parse(readFileSync(card, "utf8")) as { output?: { labels?: unknown } };
    const labels = json.output?.labels;
    return Array.isArray(labels) && labels.every((l) => typeof l === "string") ? (labels as string[]) : undefined;
  } catch {
    return undefined;
  }
}
