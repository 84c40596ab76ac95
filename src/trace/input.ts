import type { CompiledModel } from "../onnx/compile.ts";
import { dtypeInfo } from "../tensor/dtype.ts";
import { Layout } from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";
import { InputMismatchError } from "./errors.ts";

/** The job input as a row-major tensor of exactly the model's input spec (§7: the input is committed row-major). */
export function checkJobInput(compiled: CompiledModel, input: Tensor): Tensor {
  const want = compiled.input;
  const got = input.spec;
  if (got.dtype !== want.dtype) {
    throw new InputMismatchError(
      `input is ${dtypeInfo(got.dtype).name}, the model takes ${dtypeInfo(want.dtype).name}`,
    );
  }
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    throw new InputMismatchError(`input has shape [${got.shape.join(",")}], the model takes [${want.shape.join(",")}]`);
  }
  return got.layout === Layout.ROW_MAJOR ? input : new Tensor({ ...got, layout: Layout.ROW_MAJOR }, input.data);
}
