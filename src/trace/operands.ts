import { Source } from "../graph/descriptor.ts";
import { constantOperand, type CompiledModel } from "../onnx/compile.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { Trace } from "./trace.ts";

/**
 * The tensors node `nodeIndex` read in `trace`, in ONNX input order:
 * the job input, earlier node outputs, constants in their committed layout,
 * undefined for an ABSENT input. What the reference evaluator and a one-step
 * proof builder need for that node.
 */
export function operandTensors(compiled: CompiledModel, trace: Trace, nodeIndex: number): (Tensor | undefined)[] {
  const desc = compiled.nodes[nodeIndex];
  if (desc === undefined) throw new RangeError(`no node ${nodeIndex}`);
  return desc.inputs.map((o, j) => {
    switch (o.source) {
      case Source.ABSENT:
        return undefined;
      case Source.JOB_INPUT:
        return trace.input;
      case Source.NODE_OUTPUT:
        return trace.nodeOutputs[o.index];
      case Source.CONSTANT:
        return (constantOperand(compiled, nodeIndex, j) as NonNullable<ReturnType<typeof constantOperand>>).tensor;
    }
  });
}
