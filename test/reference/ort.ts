/** Runs one-node models with onnxruntime-node (CPU) for the differential tests. */
import ort from "onnxruntime-node";
import { DType, dtypeInfo } from "../../src/tensor/dtype.ts";
import { Layout } from "../../src/tensor/spec.ts";
import { Tensor, type TensorData } from "../../src/tensor/tensor.ts";

type OrtIntType = "int8" | "uint8" | "int32" | "int64";

const DTYPE_OF: Record<string, DType> = {
  int8: DType.INT8,
  uint8: DType.UINT8,
  int32: DType.INT32,
  int64: DType.INT64,
};

export function toOrt(t: Tensor): ort.Tensor {
  const type = dtypeInfo(t.spec.dtype).name as OrtIntType;
  const dims = [...t.spec.shape];
  switch (type) {
    case "int8":
      return new ort.Tensor("int8", t.data as Int8Array, dims);
    case "uint8":
      return new ort.Tensor("uint8", t.data as Uint8Array, dims);
    case "int32":
      return new ort.Tensor("int32", t.data as Int32Array, dims);
    case "int64":
      return new ort.Tensor("int64", t.data as BigInt64Array, dims);
  }
}

export function fromOrt(t: ort.Tensor): Tensor {
  const dtype = DTYPE_OF[t.type];
  if (dtype === undefined) throw new TypeError(`onnxruntime returned a ${t.type} tensor`);
  return new Tensor({ dtype, layout: Layout.ROW_MAJOR, shape: t.dims.map(Number) }, t.data as TensorData);
}

/** Runs a one-output model and returns its output. Throws what onnxruntime throws (no kernel, type error…). */
export async function runModel(model: Uint8Array, feeds: ReadonlyMap<string, Tensor>): Promise<Tensor> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    const input: Record<string, ort.Tensor> = {};
    for (const [name, t] of feeds) input[name] = toOrt(t);
    const out = await session.run(input);
    const [name] = session.outputNames;
    const first = name === undefined ? undefined : out[name];
    if (first === undefined) throw new Error("onnxruntime returned no output");
    return fromOrt(first);
  } finally {
    await session.release();
  }
}
