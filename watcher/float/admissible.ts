/**
 * docs/PROTOCOL.md §11.3 on a provider's own trace: every node's output checked by the
 * float checker (src/float/check/) against the exact value computed from that node's
 * inputs *as the provider committed them* — the job input for the first node, the model's
 * constants, and earlier nodes' served outputs — never from the watcher's own run, whose
 * low-order bits differ from any honest provider's. The first node (in graph order) with an
 * element outside its bound is returned with that element: any violating node proves fraud.
 */
import type { CompiledModel } from "../../src/onnx/compile.ts";
import { floatNodeOf, type FloatGraph, type GraphNode } from "../../src/float/check/graph.ts";
import { checkNode, type Violation } from "../../src/float/check/node.ts";
import { CheckInputError, type NodeTensor } from "../../src/float/check/tensor.ts";
import { nodeTensorOf } from "../../src/float/check/traceNode.ts";
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
export function checkAdmissible(
  compiled: CompiledModel,
  graph: FloatGraph,
  input: Tensor,
  outputs: readonly Tensor[],
): Admissibility {
  const byOutput = new Map<string, GraphNode>(graph.nodes.map((n) => [n.output, n]));
  const values = new Map<string, NodeTensor>(graph.constants);
  values.set(compiled.input.name, nodeTensorOf(input, "the job input"));
  compiled.outputNames.forEach((name, i) => {
    const out = outputs[i];
    if (out === undefined) throw new CheckInputError(`no output for node ${i}`);
    values.set(name, nodeTensorOf(out, `node ${i}'s output`));
  });
  let elements = 0;
  for (const [i, name] of compiled.outputNames.entries()) {
    const node = byOutput.get(name);
    if (node === undefined) throw new CheckInputError(`node ${i} (output ${name}) is not in the ONNX graph`);
    const result = checkNode(floatNodeOf(node, values), { maxViolations: 1 });
    elements += result.elements;
    const violation = result.violations[0];
    if (violation !== undefined)
      return { kind: "violation", nodeIndex: i, opType: node.opType, violation, count: result.violationCount };
  }
  return { kind: "admissible", elements };
}
