import type { OneStepProofArgs } from "../client/calls.ts";
import type { CompiledModel } from "../onnx/compile.ts";
import type { HonestTraceData } from "../proof/dispute.ts";

/**
 * How a challenger decides. The solver works out the honest answer (the first
 * divergent node, child or element, computed from the challenger's own trace)
 * and asks the strategy what to play; the honest strategy plays exactly that.
 * Other strategies exist to test that an honest provider can never lose
 * (test/dispute/strategies.ts).
 */
export interface ChallengerStrategy {
  readonly name: string;
  /** The node to dispute, or undefined to stay silent. */
  selectNode(c: NodeChoice): number | undefined;
  /** The revealed child to descend into, or undefined to stay silent. */
  chooseChild(c: ChildChoice): number | undefined;
  /** The output element to prove (row-major index), or undefined to stay silent. */
  selectElement(c: ElementChoice): number | undefined;
  /** A last look at the proof before it is sent (adversarial strategies alter it). */
  alterProof?(proof: OneStepProofArgs, c: ProofContext): OneStepProofArgs;
}

export interface NodeChoice {
  /** First node whose posted root differs from the challenger's; undefined when they all agree. */
  readonly divergent: number | undefined;
  readonly nodeCount: number;
}

export interface ChildChoice {
  /** First revealed child that differs from the challenger's tree; undefined when none does. */
  readonly divergent: number | undefined;
  readonly count: number;
}

export interface ElementChoice {
  /** First opened element whose value differs from the challenger's; undefined when none does. */
  readonly divergent: number | undefined;
  /** Row-major indices of the elements the provider opened: [first, last]. */
  readonly first: number;
  readonly last: number;
}

export interface ProofContext {
  readonly compiled: CompiledModel;
  readonly honest: HonestTraceData;
  readonly nodeIndex: number;
}

/** Plays the challenger's own trace: dispute what differs, stay silent when nothing does. */
export const honestStrategy: ChallengerStrategy = {
  name: "honest",
  selectNode: (c) => c.divergent,
  chooseChild: (c) => c.divergent,
  selectElement: (c) => c.divergent,
};
