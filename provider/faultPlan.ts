import type { CompiledModel } from "../src/onnx/compile.ts";
import type { Tensor } from "../src/tensor/tensor.ts";
import { Rng } from "../src/vectors/rng.ts";
import {
  DEFAULT_FLOAT_FAULT,
  faultKindProblem,
  forgeCommitment,
  type Commitment,
  type FaultKind,
  type FloatFaultOptions,
} from "../src/dispute/faults.ts";

/**
 * Fault injection for tests and demos (`--fault`, `--fault-rate`, `--fault-seed`, and for
 * float32 models `--fault-float-scale`, `--fault-float-node`):
 * each job is faulty with probability `rate`; faulty jobs take the listed kinds in
 * turn, so a run with N kinds and N faulty jobs exercises every kind once.
 * Seeded, so a run is reproducible; the forged data is what the provider stores,
 * serves and reveals from (src/dispute/faults.ts).
 */
export class FaultPlan {
  private readonly rng: Rng;
  private nextKind = 0;

  constructor(
    readonly kinds: readonly FaultKind[],
    readonly rate: number,
    seed: number,
    readonly float: FloatFaultOptions = DEFAULT_FLOAT_FAULT,
  ) {
    this.rng = new Rng(seed);
  }

  get active(): boolean {
    return this.kinds.length > 0 && this.rate > 0;
  }

  /** Why this plan cannot forge jobs of `compiled` (one line per kind that cannot), empty when it can. */
  problemsWith(compiled: CompiledModel): string[] {
    if (!this.active) return [];
    return this.kinds.flatMap((k) => faultKindProblem(k, compiled, this.float) ?? []);
  }

  /**
   * The fault of the next job, or undefined for an honest one. Drawn before the job runs: an
   * honest job runs the plain model only, a faulty one is traced at once to forge from.
   */
  next(): FaultKind | undefined {
    if (!this.active || this.rng.float() >= this.rate) return undefined;
    const kind = this.kinds[this.nextKind++ % this.kinds.length];
    // Active means at least one kind, so the index is in range.
    if (kind === undefined) throw new Error("an active fault plan has no fault kinds");
    return kind;
  }

  /** The commitment of a job whose fault `next` drew, forged from its honest trace. */
  forge(
    kind: FaultKind,
    compiled: CompiledModel,
    trace: { input: Tensor; nodeOutputs: readonly Tensor[] },
  ): Commitment {
    return forgeCommitment(kind, compiled, trace, this.rng, this.float);
  }
}
