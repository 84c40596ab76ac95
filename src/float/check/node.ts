/**
 * The float checker of one node: every output element recomputed from the node's own
 * operands and decided against its bound (float64 for clear cases, the contract's rule for
 * borderline ones), returning the elements that violate. This is how a watcher finds a
 * provable (node, element) in a provider's float trace without bit-exactness.
 */
import { STRICT_FP32, assertSupported, type NumericsPolicy } from "../policy.ts";
import { Verdict } from "../verdict.ts";
import type { Attributes } from "./attributes.ts";
import { dotKernel } from "./dot.ts";
import { elementwiseKernel } from "./elementwise.ts";
import { exactKernel } from "./exact.ts";
import { ElementCheck, type ElementKernel, type OpFamily } from "./kernel.ts";
import { meanKernel } from "./mean.ts";
import { bitsView, CheckInputError, sizeOf, valueOfBits, type NodeTensor } from "./tensor.ts";

export interface FloatNode {
  readonly opType: string;
  readonly attributes: Attributes;
  /** In ONNX order; undefined for an omitted optional input. */
  readonly inputs: readonly (NodeTensor | undefined)[];
  /** The claimed output. */
  readonly output: NodeTensor;
}

export interface Violation {
  /** Row-major index in the output. */
  readonly index: number;
  /** The claimed value (the index, for ArgMax). */
  readonly claimed: number;
  /** The float64 estimate of the exact value. */
  readonly estimate: number;
  readonly bound: number;
  readonly verdict: Verdict;
}

export interface NodeCheck {
  readonly opType: string;
  readonly family: OpFamily;
  readonly elements: number;
  readonly violations: readonly Violation[];
  /** Violations beyond `maxViolations` are counted, not listed. */
  readonly violationCount: number;
  readonly unchecked: number;
  /** Elements the float64 test could not decide, handed to the exact rule. */
  readonly deferred: number;
  /** max |claimed − estimate| / B over the rounding operators' decided elements (0 for exact operators). */
  readonly maxErrOverBound: number;
}

export interface CheckOptions {
  readonly policy?: NumericsPolicy;
  /** List at most this many violations (default 100). */
  readonly maxViolations?: number;
}

const FAMILY: Readonly<Record<string, OpFamily>> = {
  MatMul: "dot",
  Gemm: "dot",
  Conv: "dot",
  ReduceMean: "mean",
  AveragePool: "mean",
  GlobalAveragePool: "mean",
  Add: "elementwise",
  Sub: "elementwise",
  Mul: "elementwise",
  Div: "elementwise",
  Sqrt: "elementwise",
  Relu: "exact",
  Max: "exact",
  Min: "exact",
  MaxPool: "exact",
  Flatten: "exact",
  Reshape: "exact",
  Identity: "exact",
  Transpose: "exact",
  ArgMax: "exact",
};

export const CHECKED_OPS: readonly string[] = Object.keys(FAMILY);

export function familyOf(opType: string): OpFamily | undefined {
  return FAMILY[opType];
}

/** The node prepared for element checks (throws CheckInputError on an unsupported op or inconsistent operands). */
export function kernelFor(node: FloatNode, policy: NumericsPolicy = STRICT_FP32): ElementKernel {
  assertSupported(policy);
  const family = FAMILY[node.opType];
  switch (family) {
    case "dot":
      return dotKernel(node.opType, node.inputs, node.output, node.attributes, policy);
    case "mean":
      return meanKernel(node.opType, node.inputs, node.output, node.attributes, policy);
    case "elementwise":
      return elementwiseKernel(node.opType, node.inputs, node.output, policy);
    case "exact":
      return exactKernel(node.opType, node.inputs, node.output, node.attributes);
    default:
      throw new CheckInputError(`the float checker does not support ${node.opType}`);
  }
}

/** The claimed output as numbers the kernel takes: fp32 bits, or int64 indices. */
function claimsOf(output: NodeTensor): Uint32Array | BigInt64Array {
  if (output.data.length !== sizeOf(output.dims)) {
    throw new CheckInputError(`the output holds ${output.data.length} values for dims [${output.dims.join(", ")}]`);
  }
  return output.data instanceof Float32Array ? bitsView(output.data) : output.data;
}

/** Checks every element of one node's claimed output. */
export function checkNode(node: FloatNode, options: CheckOptions = {}): NodeCheck {
  const kernel = kernelFor(node, options.policy ?? STRICT_FP32);
  return checkWithKernel(kernel, node.output, options.maxViolations ?? 100);
}

export function checkWithKernel(kernel: ElementKernel, output: NodeTensor, maxViolations = 100): NodeCheck {
  const claims = claimsOf(output);
  if (claims.length !== kernel.size)
    throw new CheckInputError(`${kernel.size} elements expected, ${claims.length} claimed`);
  const out = new ElementCheck();
  const violations: Violation[] = [];
  let violationCount = 0;
  let unchecked = 0;
  let deferred = 0;
  let maxRatio = 0;
  const bigints = claims instanceof BigInt64Array;
  for (let i = 0; i < kernel.size; i++) {
    const claimed = bigints ? Number(claims[i]!) : (claims[i] as number);
    kernel.check(i, claimed, out);
    if (out.deferred) deferred++;
    if (out.verdict === Verdict.UNCHECKED) {
      unchecked++;
      continue;
    }
    if (out.verdict === Verdict.VIOLATES) {
      violationCount++;
      if (violations.length < maxViolations) {
        violations.push({
          index: i,
          claimed: bigints ? claimed : valueOfBits(claimed),
          estimate: out.estimate,
          bound: out.bound,
          verdict: out.verdict,
        });
      }
      continue;
    }
    if (out.bound > 0) {
      const ratio = out.distance / out.bound;
      if (ratio > maxRatio) maxRatio = ratio;
    }
  }
  return {
    opType: kernel.opType,
    family: kernel.family,
    elements: kernel.size,
    violations,
    violationCount,
    unchecked,
    deferred,
    maxErrOverBound: maxRatio,
  };
}
