/**
 * Operator codes of the exact integer profile, shared with
 * contracts/libraries/Opcodes.sol. Codes are append-only: a registered
 * model's graphRoot depends on them.
 */
export const Opcode = {
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
export type Opcode = (typeof Opcode)[keyof typeof Opcode];
export type OpName = keyof typeof Opcode;

export function opcodeOf(name: string): Opcode | undefined {
  return Object.hasOwn(Opcode, name) ? Opcode[name as OpName] : undefined;
}

export function opName(code: number): OpName {
  const entry = Object.entries(Opcode).find(([, c]) => c === code);
  if (!entry) throw new RangeError(`unknown opcode ${code}`);
  return entry[0] as OpName;
}
