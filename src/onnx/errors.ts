/**
 * Why the loader refused a model (docs/PROTOCOL.md §8). One class per kind of
 * reason, and within a class a machine-readable `code` per precise rule, so a
 * watcher, the CLI and the tests can act on the reason without parsing text.
 * Every message names the offending node or tensor when there is one.
 */

/** Codes per error class; stable strings (they appear in logs and CLI output). */
export const ModelErrorCodes = {
  MalformedModelError: [
    "EMPTY_FILE",
    "MALFORMED_PROTOBUF",
    "UNKNOWN_FIELD",
    "DUPLICATE_FIELD",
    "MISSING_GRAPH",
    "INVALID_TENSOR",
    "INITIALIZER_DATA_MISMATCH",
  ],
  UnsupportedOpError: ["UNSUPPORTED_OP"],
  UnsupportedDTypeError: ["UNSUPPORTED_DTYPE", "OP_DTYPE", "INPUT_DTYPE", "NOT_A_TENSOR"],
  CustomDomainError: ["CUSTOM_DOMAIN", "LOCAL_FUNCTIONS"],
  OpsetError: ["UNSUPPORTED_OPSET", "MISSING_OPSET", "DUPLICATE_OPSET", "UNSUPPORTED_IR_VERSION"],
  ExternalDataError: ["EXTERNAL_DATA"],
  DynamicShapeError: ["DYNAMIC_SHAPE"],
  LimitExceededError: [
    "FILE_TOO_LARGE",
    "TOO_MANY_NODES",
    "TENSOR_TOO_LARGE",
    "RANK_TOO_LARGE",
    "TOO_MANY_INPUTS",
    "PROTOBUF_TOO_COMPLEX",
  ],
  GraphStructureError: [
    "EMPTY_GRAPH",
    "INPUT_COUNT",
    "OUTPUT_COUNT",
    "OUTPUT_NOT_LAST_NODE",
    "NODE_OUTPUT_COUNT",
    "NODE_INPUT_COUNT",
    "EMPTY_NAME",
    "UNKNOWN_NAME",
    "NOT_TOPOLOGICAL",
    "DUPLICATE_NAME",
  ],
  ProfileRuleError: [
    "MATMUL_B_NOT_CONSTANT",
    "MATMUL_RANK",
    "ONE_STEP_TOO_LARGE",
    "ZERO_POINT_SHAPE",
    "ZERO_POINT_NOT_CONSTANT",
    "DIVISOR_NOT_CONSTANT",
    "DIVISOR_ZERO",
    "DIVISOR_MINUS_ONE",
    "GATHER_INDICES_NOT_CONSTANT",
    "GATHER_INDEX_OUT_OF_RANGE",
    "ARGMAX_NOT_LAST_AXIS",
    "RESHAPE_SHAPE_NOT_CONSTANT",
    "DTYPE_MISMATCH",
    "SHAPE_MISMATCH",
    "ZERO_DIMENSION",
    "INVALID_ATTRIBUTE",
    "SCALAR_REQUIRED",
    "VALUE_INFO_MISMATCH",
    "SPARSE_INITIALIZER",
    "TRAINING_INFO",
    "NON_CANONICAL_NAN",
    "MIXED_PROFILE",
    "PROFILE_MISMATCH",
    "WEIGHT_NOT_CONSTANT",
    "TRANSPOSED_OPERAND",
    "CONV_SHAPE",
    "POOL_SHAPE",
    "REDUCE_AXES",
    "INVALID_PERM",
  ],
} as const;

type Codes = typeof ModelErrorCodes;
export type ModelErrorClassName = keyof Codes;
export type MalformedModelCode = Codes["MalformedModelError"][number];
export type UnsupportedOpCode = Codes["UnsupportedOpError"][number];
export type UnsupportedDTypeCode = Codes["UnsupportedDTypeError"][number];
export type CustomDomainCode = Codes["CustomDomainError"][number];
export type OpsetCode = Codes["OpsetError"][number];
export type ExternalDataCode = Codes["ExternalDataError"][number];
export type DynamicShapeCode = Codes["DynamicShapeError"][number];
export type LimitExceededCode = Codes["LimitExceededError"][number];
export type GraphStructureCode = Codes["GraphStructureError"][number];
export type ProfileRuleCode = Codes["ProfileRuleError"][number];
export type ModelErrorCode = Codes[ModelErrorClassName][number];

/** Where in the model the problem is; each field is optional. */
export interface ModelErrorLocation {
  /** Node name (or `#index` when the node has none). */
  readonly node?: string;
  /** Tensor / value name (initializer, graph input or output, node output). */
  readonly tensor?: string;
}

export interface ModelErrorOptions extends ModelErrorLocation {
  readonly cause?: unknown;
}

/**
 * Base of every loader rejection. `shortMessage` is the rule that failed,
 * `message` prefixes it with the location, `code` is the machine-readable rule.
 */
export abstract class ModelValidationError extends Error {
  abstract override readonly name: ModelErrorClassName;
  abstract readonly code: ModelErrorCode;
  readonly shortMessage: string;
  readonly node?: string;
  readonly tensor?: string;

  constructor(shortMessage: string, options: ModelErrorOptions = {}) {
    const where = [
      options.node !== undefined ? `node ${JSON.stringify(options.node)}` : undefined,
      options.tensor !== undefined ? `tensor ${JSON.stringify(options.tensor)}` : undefined,
    ].filter((s) => s !== undefined);
    super(where.length > 0 ? `${where.join(", ")}: ${shortMessage}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    if (options.node !== undefined) this.node = options.node;
    if (options.tensor !== undefined) this.tensor = options.tensor;
  }
}

/** Not a decodable ModelProto: empty, truncated, corrupted, or data inconsistent with its own header. */
export class MalformedModelError extends ModelValidationError {
  override readonly name = "MalformedModelError";
  constructor(
    readonly code: MalformedModelCode,
    message: string,
    options?: ModelErrorOptions,
  ) {
    super(message, options);
  }
}

/** An operator outside the table of docs/PROTOCOL.md §6. */
export class UnsupportedOpError extends ModelValidationError {
  override readonly name = "UnsupportedOpError";
  readonly code = "UNSUPPORTED_OP";
  constructor(
    readonly opType: string,
    message: string,
    options?: ModelErrorOptions,
  ) {
    super(message, options);
  }
}

/** A non-integer element type anywhere (inputs, initializers, value_info, Cast targets), or one an op cannot take. */
export class UnsupportedDTypeError extends ModelValidationError {
  override readonly name = "UnsupportedDTypeError";
  constructor(
    readonly code: UnsupportedDTypeCode,
    readonly dtype: number,
    message: string,
    options?: ModelErrorOptions,
  ) {
    super(message, options);
  }
}

/** A node, opset import or model-local function outside the default ONNX domain. */
export class CustomDomainError extends ModelValidationError {
  override readonly name = "CustomDomainError";
  constructor(
    readonly code: CustomDomainCode,
    readonly domain: string,
    message: string,
    options?: ModelErrorOptions,
  ) {
    super(message, options);
  }
}

/** Default-domain opset outside 13…21, missing or repeated, or an IR version outside the supported range. */
export class OpsetError extends ModelValidationError {
  override readonly name = "OpsetError";
  constructor(
    readonly code: OpsetCode,
    message: string,
    options?: ModelErrorOptions,
  ) {
    super(message, options);
  }
}

/** An initializer stored outside the file. The path is never opened. */
export class ExternalDataError extends ModelValidationError {
  override readonly name = "ExternalDataError";
  readonly code = "EXTERNAL_DATA";
}

/** A symbolic or missing dimension on the graph input or output. */
export class DynamicShapeError extends ModelValidationError {
  override readonly name = "DynamicShapeError";
  readonly code = "DYNAMIC_SHAPE";
}

/** A size bound of §8 (or of the decoder's own safety budget) is exceeded; checked before anything is allocated. */
export class LimitExceededError extends ModelValidationError {
  override readonly name = "LimitExceededError";
  constructor(
    readonly code: LimitExceededCode,
    /** The offending quantity and its bound, as decimal strings (they may exceed 2^53). */
    readonly actual: string,
    readonly limit: string,
    message: string,
    options?: ModelErrorOptions,
  ) {
    super(message, options);
  }
}

/** Not a single-input single-output chain of single-output nodes in topological order with unique names. */
export class GraphStructureError extends ModelValidationError {
  override readonly name = "GraphStructureError";
  constructor(
    readonly code: GraphStructureCode,
    message: string,
    options?: ModelErrorOptions,
  ) {
    super(message, options);
  }
}

/** A per-operator rule of the exact integer profile (constant operands, ranges, shapes, attributes). */
export class ProfileRuleError extends ModelValidationError {
  override readonly name = "ProfileRuleError";
  constructor(
    readonly code: ProfileRuleCode,
    message: string,
    options?: ModelErrorOptions,
  ) {
    super(message, options);
  }
}

export function isModelValidationError(e: unknown): e is ModelValidationError {
  return e instanceof ModelValidationError;
}
