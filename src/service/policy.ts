/**
 * An operator's policy: which registrations and jobs a daemon takes part in.
 *
 * Every deadline of a dispute is the model's response window R, and registering a
 * model is permissionless. Whoever registers a model chooses its R, so a model with an
 * R shorter than a daemon needs to get a transaction included is a trap: an honest
 * provider that commits a job of it cannot post its roots in time and is slashed; a
 * watcher that challenges it cannot make its next move in time and loses its bond.
 * Collateral per fee is the provider's risk per unit of pay: a job with fee 0 locks
 * collateral for nothing. A daemon refuses both before it commits or challenges
 * anything, and says why in one log line.
 */
import type { Hex } from "viem";
import type { FieldSpec } from "./config.ts";
import * as f from "./fields.ts";

export interface OperatorPolicy {
  /** Models whose response window is below this many seconds are refused. */
  readonly minResponseWindow: number;
  /** When not empty, only these modelIds are served or watched. */
  readonly allowedModels: readonly Hex[];
  /** Jobs whose collateral exceeds this many times their fee are refused (provider; absent: no limit). */
  readonly maxCollateralPerFee?: number;
}

/** The policy's configuration fields, shared by both daemons (docs/DAEMONS.md). */
export const POLICY_FIELDS = {
  minResponseWindow: {
    flag: "--min-response-window <seconds>",
    env: "REFUTE_MIN_RESPONSE_WINDOW",
    help:
      "refuse models whose response window is shorter (default 15, for 1-s blocks; " +
      "on a 12-s-block chain use 300 or more)",
    schema: f.number({ min: 1, max: 31_536_000, integer: true, default: 15 }),
  },
  allowedModels: {
    flag: "--allow-model <modelId>",
    env: "REFUTE_ALLOW_MODELS",
    help: "take part only in jobs of these registrations (modelIds); repeatable (default: every registration of a known file)",
    multiple: true,
    schema: f.bytes32List(),
  },
} satisfies Record<string, FieldSpec<unknown>>;

/** Why a registration is outside the policy, or undefined when it is inside. */
export function modelOutsidePolicy(
  modelId: Hex,
  params: { readonly responseWindow: bigint },
  policy: OperatorPolicy,
): string | undefined {
  if (policy.allowedModels.length > 0 && !policy.allowedModels.some((m) => m.toLowerCase() === modelId.toLowerCase())) {
    return `model ${modelId} is not in the allowed models (--allow-model)`;
  }
  if (params.responseWindow < BigInt(policy.minResponseWindow)) {
    return (
      `response window ${params.responseWindow} s is below the policy minimum ${policy.minResponseWindow} s ` +
      `(--min-response-window): its deadlines could not be met`
    );
  }
  return undefined;
}

/** Why a job is outside the policy (collateral per fee), or undefined when it is inside. */
export function jobOutsidePolicy(fee: bigint, collateral: bigint, policy: OperatorPolicy): string | undefined {
  const max = policy.maxCollateralPerFee;
  if (max === undefined) return undefined;
  // collateral / fee > max, in integers: a fee of 0 exceeds any limit unless the collateral is 0 too.
  const scaled = BigInt(Math.round(max * 1_000_000));
  if (collateral * 1_000_000n > fee * scaled) {
    return `collateral ${collateral} is more than ${max} × the fee ${fee} (--max-collateral-per-fee)`;
  }
  return undefined;
}
