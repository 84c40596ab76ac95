import * as ort from "onnxruntime-node";
import { DType, dtypeInfo } from "../tensor/dtype.ts";
import { Layout, type TensorSpec } from "../tensor/spec.ts";
import { Tensor, type TensorData } from "../tensor/tensor.ts";
import { ExecutionError } from "./errors.ts";

type OrtType = "float32" | "uint8" | "int8" | "int32" | "int64";

export const ORT_TYPE: Record<DType, OrtType> = {
  [DType.FLOAT]: "float32",
  [DType.UINT8]: "uint8",
  [DType.INT8]: "int8",
  [DType.INT32]: "int32",
  [DType.INT64]: "int64",
};

/** An onnxruntime tensor over the same values (row-major; a commitment layout does not change them). */
export function toOrtTensor(tensor: Tensor): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[tensor.spec.dtype], tensor.data, [...tensor.spec.shape]);
}

/**
 * Copies an onnxruntime output into a Tensor with the spec the loader
 * inferred, and refuses it when onnxruntime's type or shape differs: the
 * trace must commit to exactly the specs in the node descriptors.
 */
export function fromOrtTensor(value: ort.Tensor, spec: TensorSpec, what: string): Tensor {
  const want = dtypeInfo(spec.dtype).name;
  const dims = value.dims.map(Number);
  if (value.type !== want || dims.length !== spec.shape.length || dims.some((d, i) => d !== spec.shape[i])) {
    throw new ExecutionError(
      "OUTPUT_MISMATCH",
      `${what}: onnxruntime produced ${value.type} [${dims.join(",")}], the graph descriptor says ${want} [${spec.shape.join(",")}]`,
    );
  }
  return new Tensor(
    { dtype: spec.dtype, layout: Layout.ROW_MAJOR, shape: [...spec.shape] },
    copyData(value.data, spec.dtype),
  );
}

function copyData(data: ort.Tensor["data"], dtype: DType): TensorData {
  // float32 keeps its bit patterns (a slice copies bytes); pack() canonicalizes NaNs when it commits.
  if (data instanceof Float32Array && dtype === DType.FLOAT) return data.slice();
  if (data instanceof Int8Array && dtype === DType.INT8) return data.slice();
  if (data instanceof Uint8Array && dtype === DType.UINT8) return data.slice();
  if (data instanceof Int32Array && dtype === DType.INT32) return data.slice();
  if (data instanceof BigInt64Array && dtype === DType.INT64) return data.slice();
  throw new ExecutionError(
    "OUTPUT_MISMATCH",
    `onnxruntime returned ${data.constructor.name} for ${dtypeInfo(dtype).name}`,
  );
}
