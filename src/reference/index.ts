/** The element-level reference evaluator of the exact integer profile (docs/PROTOCOL.md §6, §6.1). */
export {
  checkNode,
  dependencies,
  evaluateElement,
  evaluateFromOpenings,
  evaluateNode,
  openings,
  ReferenceEvalError,
  rowMajorIndexOf,
} from "./evaluate.ts";
export type { OperandOpening, OperandRange, Operands } from "./types.ts";
export { MAX_OPSET, MIN_OPSET, SUPPORTED_DTYPES, supportError, supportsDType } from "./support.ts";
export type { DTypeOpsets, OpSupport } from "./support.ts";
export { broadcastIndex, broadcastShape } from "./broadcast.ts";
