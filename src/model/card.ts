import type { Hex } from "viem";
import { compileModel } from "../onnx/compile.ts";
import { modelIdFor } from "../onnx/modelSpecFor.ts";
import { DEFAULT_MODEL_PARAMS, defaultUriFor } from "./defaultParams.ts";

/** The protocol identity a model card records: what a registration with the default parameters binds. */
export interface CardIdentity {
  readonly fileHash: Hex;
  readonly graphRoot: Hex;
  readonly modelId: Hex;
  readonly modelIdBinds: { readonly uri: string; readonly params: Record<string, string> };
}

export function cardIdentity(file: Uint8Array, path: string): CardIdentity {
  const compiled = compileModel(file);
  const uri = defaultUriFor(path);
  return {
    fileHash: compiled.fileHash,
    graphRoot: compiled.graphRoot,
    modelId: modelIdFor(compiled, { uri, params: DEFAULT_MODEL_PARAMS }),
    modelIdBinds: {
      uri,
      params: Object.fromEntries(Object.entries(DEFAULT_MODEL_PARAMS).map(([k, v]) => [k, String(v)])),
    },
  };
}
