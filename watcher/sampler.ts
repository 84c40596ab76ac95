/**
 * The sampler: which committed jobs to re-execute. The random choice comes from a
 * secret only this watcher knows (32 random bytes kept in its database), hashed
 * with the job and its commitment: a provider cannot predict which of its jobs
 * are checked, and a restart makes the same choices. Some jobs are always
 * checked: a fee at or above a threshold, or a provider seen fewer than N times.
 */
import { createHmac } from "node:crypto";
import type { Hex } from "viem";

export interface SamplerRules {
  readonly rate: number;
  readonly alwaysCheckFee?: bigint;
  readonly alwaysCheckNewProviders: number;
}

export type SampleDecision = { readonly sampled: boolean; readonly rule: "fee" | "new-provider" | "random" | "skip" };

export class Sampler {
  constructor(
    private readonly secret: Buffer,
    readonly rules: SamplerRules,
  ) {
    if (secret.length < 16) throw new RangeError("the sampling secret must be at least 16 bytes");
  }

  /** A uniform number in [0, 1) for the job, unpredictable without the secret. */
  draw(jobId: bigint, commitmentHash: Hex): number {
    const h = createHmac("sha256", this.secret).update(`${jobId}:${commitmentHash.toLowerCase()}`).digest();
    return Number(h.readBigUInt64BE(0) >> 11n) / 2 ** 53;
  }

  decide(j: { jobId: bigint; commitmentHash: Hex; fee: bigint; providerSeen: number }): SampleDecision {
    if (this.rules.alwaysCheckFee !== undefined && j.fee >= this.rules.alwaysCheckFee)
      return { sampled: true, rule: "fee" };
    if (j.providerSeen < this.rules.alwaysCheckNewProviders) return { sampled: true, rule: "new-provider" };
    return this.draw(j.jobId, j.commitmentHash) < this.rules.rate
      ? { sampled: true, rule: "random" }
      : { sampled: false, rule: "skip" };
  }
}
