/**
 * Naming a model: by its registered modelId, or by its ONNX file, whose modelId is
 * computed exactly as `refute model register` / `refute model inspect` compute it
 * (src/onnx/modelSpecFor.ts). A modelId binds the file, its URI and its economic
 * parameters, so a file names a model only together with those: the defaults of
 * src/model/defaultParams.ts unless given.
 */
import type { Hex } from "viem";
import { readModelFile } from "../cli/files.ts";
import { modelSpecOptions } from "../cli/modelParams.ts";
import type { ModelParams } from "../model/modelSpec.ts";
import { compileModel } from "../onnx/compile.ts";
import { modelIdFor } from "../onnx/modelSpecFor.ts";

/** What a registration bound besides the file; anything left out takes the registration default. */
export interface ModelRegistrationOptions {
  /** The URI registered (default `file://<basename>`). */
  readonly uri?: string;
  readonly params?: Partial<ModelParams>;
}

/** A 0x-prefixed 32-byte hex string: a modelId rather than a file name. */
export function isModelId(model: string): model is Hex {
  return /^0x[0-9a-fA-F]{64}$/.test(model);
}

/** The modelId an ONNX file gets when registered with `options` (validates and compiles the file). */
export function modelIdOfFile(path: string, options: ModelRegistrationOptions = {}): Hex {
  const compiled = compileModel(readModelFile(path));
  const p = options.params ?? {};
  return modelIdFor(
    compiled,
    modelSpecOptions(path, {
      uri: options.uri,
      challengeWindow: p.challengeWindow,
      responseWindow: p.responseWindow,
      collateral: p.collateralPerJob,
      bond: p.challengerBond,
    }),
  );
}

/** A modelId as given, or the id of the ONNX file at that path under the registration defaults. */
export function resolveModelId(model: string): Hex {
  return isModelId(model) ? (model.toLowerCase() as Hex) : modelIdOfFile(model);
}
