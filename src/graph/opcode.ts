/**
 * Operator codes, shared with contracts/ops/Opcodes.sol. Codes are append-only: a
 * registered model's graphRoot depends on them. Codes 1 … 15 are the exact integer
 * profile's (docs/PROTOCOL.md §6); the float32 profile (§11.7) reuses those of them that
 * have float32 forms (the dtypes in the descriptor's specs tell the profile) and adds
 * 16 … 24 for operators only it has.
 */
export const IntegerOpcode = {
  MatMulInteger: 1,
  Add: 2,
  Sub: 3,
  Mul: 4,
  Div: 5,
  Clip: 6,
  Relu: 7,
  Max: 8,
  Min: 9,
  Cast: 10,
  Reshape: 11,
  Flatten: 12,
  Identity: 13,
  Gather: 14,
  ArgMax: 15,
} as const;

/** Operators only the float32 profile has (docs/PROTOCOL.md §11.7). */
export const FloatOnlyOpcode = {
  MatMul: 16,
  Gemm: 17,
  Conv: 18,
  MaxPool: 19,
  AveragePool: 20,
  GlobalAveragePool: 21,
  ReduceMean: 22,
  Sqrt: 23,
  Transpose: 24,
} as const;

export const Opcode = { ...IntegerOpcode, ...FloatOnlyOpcode } as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];
export type OpName = keyof typeof Opcode;
/** An operator of the exact integer profile. */
export type IntegerOpName = keyof typeof IntegerOpcode;

export function opcodeOf(name: string): Opcode | undefined {
  return Object.hasOwn(Opcode, name) ? Opcode[name as OpName] : undefined;
}

export function isIntegerOp(name: string): name is IntegerOpName {
  return Object.hasOwn(IntegerOpcode, name);
}

export function opName(code: number): OpName {
  const entry = Object.entries(Opcode).find(([, c]) => c === code);
  if (!entry) throw new RangeError(`unknown opcode ${code}`);
  return entry[0] as OpName;
}
