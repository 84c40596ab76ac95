/**
 * docs/PROTOCOL.md §11.3 on a provider's own trace: every node's output checked by the
 * float checker (src/float/check/) against the exact value computed from that node's
 * inputs *as the provider committed them* — the job input for the first node, the model's
 * constants, and earlier nodes' served outputs — never from the watcher's own run, whose
 * low-order bits differ from any honest provider's. The first node (in graph order) with an
 * element outside its bound is returned with that element: any violating node proves fraud.
 */
import type { CompiledModel } from "../../src/onnx/compile.ts";
import { checkNode, type Violation } from "../../src/float/check/node.ts";
import { floatNodeOfTrace } from "../../src/float/check/traceNode.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";

export type Admissibility =
  | { readonly kind: "admissible"; readonly elements: number }
  | {
      readonly kind: "violation";
      readonly nodeIndex: number;
      readonly opType: string;
      readonly violation: Violation;
      /** Violating elements of that node in all. */
      readonly count: number;
    };

/**
 * Checks every node of a trace; `outputs[i]` is node i's output (already checked against
 * its spec and root, watcher/float/served.ts). Throws CheckInputError on a node the
 * checker does not support or whose operands do not fit.
 */
export function checkAdmissible(compiled: CompiledModel, input: Tensor, outputs: readonly Tensor[]): Admissibility {
  const trace = { input, nodeOutputs: outputs };
  let elements = 0;
  for (let i = 0; i < compiled.nodes.length; i++) {
    const result = checkNode(floatNodeOfTrace(compiled, trace, i), { maxViolations: 1 });
    elements += result.elements;
    const violation = result.violations[0];
    if (violation !== undefined)
      return {
        kind: "violation",
        nodeIndex: i,
        opType: compiled.onnxOpTypes[i] ?? "",
        violation,
        count: result.violationCount,
      };
  }
  return { kind: "admissible", elements };
}
