// Types only: the values come from decodeModel.
import type { onnx as pb } from "onnx-proto";
import { decodeModel, int64Of } from "../onnx/decode.ts";

/** ONNX element type codes a model card names, by the names cards use. */
const ELEMENT_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  6: "int32",
  7: "int64",
};

/** One graph input or output as a card states it. */
export interface ValueSummary {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

/** What a model card states about an ONNX file's structure. */
export interface GraphSummary {
  readonly opset: number;
  readonly irVersion: number;
  readonly bytes: number;
  /** Op types in node order. */
  readonly ops: readonly string[];
  readonly inputs: readonly ValueSummary[];
  readonly outputs: readonly ValueSummary[];
}

/**
 * Reads the structure a card records from an ONNX file: opset, op types, and
 * the names, element types and static shapes of its inputs and outputs.
 * Throws on a symbolic dimension, which no card can state.
 */
export function summarizeGraph(file: Uint8Array): GraphSummary {
  const model = decodeModel(file);
  const graph = model.graph;
  if (graph == null) throw new Error("the ONNX file has no graph");
  const defaultOpset = (model.opsetImport ?? []).find((o) => (o.domain ?? "") === "");
  if (defaultOpset == null) throw new Error("the ONNX file imports no default-domain opset");
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const value = (v: pb.IValueInfoProto): ValueSummary => {
    const tensorType = v.type?.tensorType;
    if (tensorType == null) throw new Error(`value ${v.name} is not a tensor`);
    const code = tensorType.elemType ?? 0;
    const shape = (tensorType.shape?.dim ?? []).map((d, i) => {
      if (d.dimValue == null || d.dimParam) throw new Error(`value ${v.name} has a symbolic dimension ${i}`);
      return Number(int64Of(d.dimValue));
    });
    return { name: v.name ?? "", dtype: ELEMENT_TYPE_NAMES[code] ?? `onnx-type-${code}`, shape };
  };
  return {
    opset: Number(int64Of(defaultOpset.version)),
    irVersion: Number(int64Of(model.irVersion)),
    bytes: file.length,
    ops: (graph.node ?? []).map((n) => n.opType ?? ""),
    // Older exporters list initializers among the inputs; a card names only what a caller feeds.
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name)).map(value),
    outputs: (graph.output ?? []).map(value),
  };
}
