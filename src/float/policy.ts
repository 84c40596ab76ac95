/**
 * The numerics policy of the float profile (docs/PROTOCOL.md §11.2): which roundings an
 * admissible execution may perform, hence every bound's constants. It is hashed with
 * `keccak256(abi.encode(NumericsPolicy))` so that a model registration can bind it.
 */
import { encodeAbiParameters, keccak256, type Hex } from "viem";

export interface NumericsPolicy {
  /** Layout version of this struct: 1. */
  readonly version: number;
  /** Precision p of the accumulation format: u = 2^−p (24: binary32, round to nearest). */
  readonly accumulationBits: number;
  /** Precision of the operands fed to the multiplier, 0 when they are not rounded (strict fp32); 11 would be TF32. Reserved: version 1 requires 0. */
  readonly inputBits: number;
  /** The absolute floor η = 2^etaExponent added once per accumulated term (or once per elementwise result). */
  readonly etaExponent: number;
  /** k_f, ulps allowed for transcendental functions. Reserved: version 1 admits no transcendental operator and requires 0. */
  readonly transcendentalUlps: number;
}

/**
 * Strict fp32: products and sums rounded to nearest binary32 (u = 2⁻²⁴); η = 2⁻¹²⁴, four
 * times the largest absolute error one rounding can make below the normal range (flush to
 * zero: < 2⁻¹²⁶), which covers the two roundings of each accumulated term however far
 * later roundings carry them (a factor (1 + u)^n < 2).
 */
export const STRICT_FP32: NumericsPolicy = {
  version: 1,
  accumulationBits: 24,
  inputBits: 0,
  etaExponent: -124,
  transcendentalUlps: 0,
};

/** `NumericsPolicy` as abi.encode lays it out. */
export const POLICY_ABI = [
  {
    type: "tuple",
    components: [
      { name: "version", type: "uint8" },
      { name: "accumulationBits", type: "uint8" },
      { name: "inputBits", type: "uint8" },
      { name: "etaExponent", type: "int16" },
      { name: "transcendentalUlps", type: "uint16" },
    ],
  },
] as const;

/** abi.encode(NumericsPolicy) — a static tuple, five words. */
export function encodePolicy(p: NumericsPolicy): Hex {
  return encodeAbiParameters(POLICY_ABI, [p]);
}

/** keccak256(abi.encode(NumericsPolicy)), the value a registration binds. */
export function policyHash(p: NumericsPolicy): Hex {
  return keccak256(encodePolicy(p));
}

/**
 * Rejects a policy version 1 cannot check: the bounds are proven for u = 2⁻²⁴ with
 * unrounded operands, and η must lie in [2⁻¹⁴⁹, 2⁻¹⁰⁰] so that it sits in the range the
 * integer checks keep exact.
 */
export function assertSupported(p: NumericsPolicy): void {
  if (p.version !== 1) throw new RangeError(`numerics policy version ${p.version} is not supported`);
  if (p.accumulationBits !== 24) throw new RangeError(`accumulationBits ${p.accumulationBits}: only 24 is supported`);
  if (p.inputBits !== 0) throw new RangeError(`inputBits ${p.inputBits}: rounded operands are reserved`);
  if (p.transcendentalUlps !== 0) throw new RangeError(`transcendentalUlps ${p.transcendentalUlps}: reserved`);
  if (p.etaExponent < -149 || p.etaExponent > -100) throw new RangeError(`etaExponent ${p.etaExponent} out of range`);
}

/** The policies this build knows by hash: a registration binds only the hash, a proof needs the struct. */
const KNOWN_POLICIES: readonly NumericsPolicy[] = [STRICT_FP32];

/** The policy whose hash a model registered (ModelSpec.policyHash); a clear error for one this build does not know. */
export function policyOfHash(hash: Hex): NumericsPolicy {
  const p = KNOWN_POLICIES.find((k) => policyHash(k).toLowerCase() === hash.toLowerCase());
  if (p === undefined) {
    throw new RangeError(
      `numerics policy ${hash} is not one this build knows (strict fp32 is ${policyHash(STRICT_FP32)})`,
    );
  }
  return p;
}
