/**
 * Auditor's replay of one job (`refute replay`): rebuilds the job and every dispute
 * move from chain events alone, fetches the public data (the model by its registered
 * URI, the input from the request, optionally the provider's served trace),
 * re-executes the model with onnxruntime, re-checks every on-chain move with the
 * TypeScript reference, and reaches its own verdict on the committed result — then
 * says whether the chain reached the same one.
 *
 * Checks come in two kinds:
 * - `rule`: a check the contracts make, redone off-chain (roots end in the committed output,
 *   revealed words open to the posted root, the one-step recomputation). A failed rule
 *   check means the chain accepted something the reference rejects: a bug to report.
 * - `honesty`: a comparison with the honest re-execution (is this output right, is
 *   this the node to dispute). A failed honesty check is a finding about a party.
 */
import { formatUnits, hexToBytes, type Address, type Hash, type Hex, type PublicClient } from "viem";
import {
  creditReasonName,
  Outcome,
  OUTCOME_NAMES,
  PHASE_NAMES,
  REASON_NAMES,
  type JobStatusName as ChainJobStatusName,
  type OutcomeName,
  type PhaseName,
  type ReasonName,
} from "../chain/enums.ts";
import { readBountyBps, readChallenge } from "../chain/read/dispute.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import { commitmentHashOf } from "../model/commitment.ts";
import { divergentChild, divergentElement, firstDivergentNode, treeOfWords, stepAt } from "../proof/dispute.ts";
import { dependencies, evaluateElement } from "../reference/evaluate.ts";
import { at } from "../tensor/at.ts";
import { elementFromWords, tensorRoot, tensorRootOf } from "../tensor/commitment.ts";
import { depthFor, MerkleTree } from "../tensor/merkle.ts";
import { unpack } from "../tensor/packing.ts";
import { elementCount, wordCount, type TensorSpec } from "../tensor/spec.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { operandTensors } from "../trace/operands.ts";
import { traceModel, type Trace, type TraceOptions } from "../trace/trace.ts";
import { fetchJobEvents, type JobEvent, type JobEventKind } from "./events.ts";
import { fetchUri } from "./fetchUri.ts";
import { loadReplayModel, readModelSpec, type ReplayModel } from "./model.ts";
import { fetchProviderTrace, type ProviderTrace } from "./providerTrace.ts";
import { claimedFromProof, recomputeFromProof, sentStepProof } from "./stepProof.ts";

/** A job's status as the replay reads it from the events (JobStatus less None, which has no events). */
export type JobStatusName = Exclude<ChainJobStatusName, "None">;
/** The replay's own verdict on the committed result. */
export type Verdict = "honest" | "fraudulent" | "no-result";
/** What the chain decided (or has not decided yet). */
export type ChainVerdict = "honest" | "fraudulent" | "in-progress" | "pending" | "expired" | "no-result";

export interface ReplayCheck {
  readonly kind: "rule" | "honesty";
  readonly ok: boolean;
  readonly detail: string;
}

export interface ReplayStep {
  readonly index: number;
  readonly event: JobEventKind;
  readonly block: number;
  readonly timestamp: number;
  readonly tx: Hash;
  readonly challengeId?: string;
  /** Who made the move. */
  readonly actor: "requester" | "provider" | "challenger" | "anyone";
  readonly text: string;
  readonly checks: readonly ReplayCheck[];
  /** A Credited step's payout, exact (the text rounds the account and the amount for reading). */
  readonly credit?: { readonly account: Address; readonly reason: string; readonly amount: bigint };
}

export interface ChallengeSummary {
  readonly id: string;
  readonly challenger: Address;
  /** Phase now (from the chain), e.g. AwaitProof, or Resolved. */
  readonly phase: PhaseName;
  readonly outcome?: OutcomeName;
  readonly reason?: ReasonName;
  /** What an honest run of the game gives this challenge. */
  readonly shouldBe: "Won" | "Lost";
  /** Who must move next and until when (open challenges). */
  readonly next?: { readonly mover: "provider" | "challenger"; readonly deadline: number };
}

export interface ReplayReport {
  readonly jobId: string;
  readonly status: JobStatusName | "Unknown";
  readonly frozen: boolean;
  readonly modelId?: Hex;
  readonly model?: { readonly uri: string; readonly source: string; readonly fileHash: Hex; readonly graphRoot: Hex };
  readonly requester?: Address;
  readonly provider?: Address;
  readonly honest?: {
    readonly outputRoot: Hex;
    readonly traceRoot: Hex;
    readonly output: readonly string[];
    readonly label?: string;
  };
  readonly committed?: {
    readonly outputRoot: Hex;
    readonly output: readonly string[];
    readonly label?: string;
    /** First node whose root differs from the honest trace, when the provider's roots are known. */
    readonly firstDivergentNode?: number | null;
  };
  readonly steps: readonly ReplayStep[];
  readonly challenges: readonly ChallengeSummary[];
  readonly verdict: Verdict;
  readonly verdictReason: string;
  readonly chainVerdict: ChainVerdict;
  /** Whether the chain reached the replay's verdict; null while the chain has not decided. */
  readonly agrees: boolean | null;
  /** For a dispute in progress: who wins if both sides play correctly from here. */
  readonly shouldWin?: "provider" | "challenger";
  /** Rule checks that failed: moves the chain accepted and the reference rejects. */
  readonly ruleViolations: number;
  readonly summary: string;
}

export interface ReplayJobParameters {
  readonly client: PublicClient;
  readonly addresses: ProtocolAddresses;
  readonly jobId: bigint;
  /** First block to search for events (the deployment block). */
  readonly fromBlock?: bigint;
  /** The model file, instead of fetching the registered URI. */
  readonly modelFile?: string;
  /** The provider's trace server (base URL, or a URL with `{jobId}`). */
  readonly traceUrl?: string;
  readonly traceOptions?: TraceOptions;
  readonly maxBlockRange?: bigint;
}

/** Largest inline or fetched input accepted (2^26 int64 elements). */
const MAX_INPUT_BYTES = 8 * (1 << 26);

/** Replays one job; see the module comment. */
export async function replayJob(p: ReplayJobParameters): Promise<ReplayReport> {
  const events = await fetchJobEvents({
    client: p.client,
    addresses: p.addresses,
    jobId: p.jobId,
    fromBlock: p.fromBlock,
    maxBlockRange: p.maxBlockRange,
  });
  const requested = events.find((e) => e.kind === "JobRequested");
  if (requested === undefined) {
    return emptyReport(p.jobId, `no JobRequested event for job ${p.jobId}: wrong deployment, RPC or start block?`);
  }
  const spec = await readModelSpec(p.client, p.addresses.modelRegistry, requested.modelId);
  const model = await loadReplayModel(spec, requested.modelId, p.modelFile);
  const inputBytes =
    requested.inputUri === "" ? hexToBytes(requested.input) : await fetchUri(requested.inputUri, MAX_INPUT_BYTES);
  const input = unpack({ ...model.compiled.input }, inputBytes);
  const honest = await traceModel(model.compiled, input, p.traceOptions);
  const committed = events.find((e) => e.kind === "JobCommitted");
  const providerTrace =
    p.traceUrl !== undefined && committed !== undefined ? await fetchProviderTrace(p.traceUrl, p.jobId) : undefined;
  const latest = await p.client.getBlock();
  const ctx = new ReplayContext(p, model, honest, events, latest.timestamp);
  return ctx.build(inputBytes, providerTrace);
}

function emptyReport(jobId: bigint, summary: string): ReplayReport {
  return {
    jobId: jobId.toString(),
    status: "Unknown",
    frozen: false,
    steps: [],
    challenges: [],
    verdict: "no-result",
    verdictReason: summary,
    chainVerdict: "no-result",
    agrees: null,
    ruleViolations: 0,
    summary,
  };
}

/** A ChallengeResolved event's outcome and reason by name (`outcome n`, `reason n` for a value the enums lack). */
export function resolutionNames(outcome: number, reason: number): { outcome: string; reason: string } {
  return {
    outcome: OUTCOME_NAMES[outcome] ?? `outcome ${outcome}`,
    reason: REASON_NAMES[reason] ?? `reason ${reason}`,
  };
}

/** The report's summary of a resolved challenge, from its ChallengeResolved event's outcome and reason. */
export function resolvedChallenge(
  id: bigint,
  challenger: Address,
  outcome: number,
  reason: number,
  shouldBe: ChallengeSummary["shouldBe"],
): ChallengeSummary {
  return {
    id: id.toString(),
    challenger,
    phase: "Resolved",
    outcome: OUTCOME_NAMES[outcome] ?? "None",
    reason: REASON_NAMES[reason] ?? "None",
    shouldBe,
  };
}

/** Per-challenge state rebuilt from the moves, to check each next move. */
interface ChallengeState {
  id: bigint;
  challenger: Address;
  node?: number;
  /** Provider's whole reveal (small outputs). */
  words?: readonly Hex[];
  /** Descent: the opened subtree node (level, index, hash) and the pending children. */
  anchor?: { level: number; index: number; hash?: Hex };
  children?: readonly Hex[];
  outcome?: number;
  reason?: number;
}

class ReplayContext {
  private readonly steps: ReplayStep[] = [];
  private readonly challenges = new Map<bigint, ChallengeState>();
  private postedRoots?: readonly Hex[];
  private readonly honestTrees = new Map<number, MerkleTree>();

  constructor(
    private readonly p: ReplayJobParameters,
    private readonly model: ReplayModel,
    private readonly honest: Trace,
    private readonly events: readonly JobEvent[],
    private readonly now: bigint,
  ) {}

  private get compiled() {
    return this.model.compiled;
  }

  async build(inputBytes: Uint8Array, providerTrace: ProviderTrace | undefined): Promise<ReplayReport> {
    const requested = this.events.find((e) => e.kind === "JobRequested");
    const committed = this.events.find((e) => e.kind === "JobCommitted");
    for (const e of this.events) await this.step(e, inputBytes);

    const verdict = this.verdict(committed);
    const status = this.status();
    const frozen = this.frozen();
    const chainVerdict = this.chainVerdict(status, frozen);
    const agrees = chainVerdict === "honest" || chainVerdict === "fraudulent" ? chainVerdict === verdict.verdict : null;
    const challenges = await this.challengeSummaries(verdict.verdict);
    const roots = this.postedRoots ?? providerTrace?.nodeRoots;
    const firstDivergent = roots !== undefined ? (firstDivergentNode(roots, this.honest.nodeRoots) ?? null) : undefined;
    const ruleViolations = this.steps.reduce(
      (n, s) => n + s.checks.filter((c) => c.kind === "rule" && !c.ok).length,
      0,
    );
    const shouldWin =
      chainVerdict === "in-progress" ? (verdict.verdict === "fraudulent" ? "challenger" : "provider") : undefined;
    const providerTraceNote =
      providerTrace === undefined || committed === undefined
        ? undefined
        : this.providerTraceNote(providerTrace, committed);
    const report: ReplayReport = {
      jobId: this.p.jobId.toString(),
      status,
      frozen,
      modelId: requested?.modelId,
      model: {
        uri: this.model.spec.uri,
        source: this.model.source,
        fileHash: this.model.spec.fileHash,
        graphRoot: this.model.spec.graphRoot,
      },
      requester: requested?.requester,
      provider: committed?.provider,
      honest: {
        outputRoot: this.honest.outputRoot,
        traceRoot: this.honest.traceRoot,
        output: values(this.honest.output),
        label: this.label(this.honest.output),
      },
      committed:
        committed === undefined
          ? undefined
          : {
              outputRoot: committed.outputRoot,
              output: values(this.committedOutput(committed.output)),
              label: this.label(this.committedOutput(committed.output)),
              ...(firstDivergent !== undefined ? { firstDivergentNode: firstDivergent } : {}),
            },
      steps: this.steps,
      challenges,
      verdict: verdict.verdict,
      verdictReason: providerTraceNote ? `${verdict.reason}; ${providerTraceNote}` : verdict.reason,
      chainVerdict,
      agrees,
      ...(shouldWin !== undefined ? { shouldWin } : {}),
      ruleViolations,
      summary: "",
    };
    return { ...report, summary: summarize(report) };
  }

  // ------------------------------------------------------------------ verdicts

  private verdict(committed: Extract<JobEvent, { kind: "JobCommitted" }> | undefined): {
    verdict: Verdict;
    reason: string;
  } {
    if (committed === undefined) return { verdict: "no-result", reason: "no provider committed a result" };
    // Only the output is committed: it alone decides. Roots posted in a dispute are judged move by move.
    const out = this.describeOutput(this.committedOutput(committed.output));
    const want = this.describeOutput(this.honest.output);
    if (same(committed.outputRoot, this.honest.outputRoot))
      return { verdict: "honest", reason: `the committed output ${out} equals the re-execution` };
    return { verdict: "fraudulent", reason: `the committed output ${out} is wrong: the model gives ${want}` };
  }

  private status(): JobStatusName {
    let s: JobStatusName = "Requested";
    for (const e of this.events) {
      if (e.kind === "JobCommitted") s = "Committed";
      else if (e.kind === "JobFinalized") s = "Finalized";
      else if (e.kind === "JobSlashed") s = "Slashed";
      else if (e.kind === "JobExpired") s = "Expired";
    }
    return s;
  }

  private frozen(): boolean {
    let f = false;
    for (const e of this.events) {
      if (e.kind === "JobDisputed") f = true;
      else if (e.kind === "JobReleased" || e.kind === "JobSlashed") f = false;
    }
    return f;
  }

  private chainVerdict(status: JobStatusName, frozen: boolean): ChainVerdict {
    switch (status) {
      case "Finalized":
        return "honest";
      case "Slashed":
        return "fraudulent";
      case "Expired":
        return "expired";
      case "Requested":
        return "no-result";
      case "Committed":
        return frozen ? "in-progress" : "pending";
    }
  }

  private async challengeSummaries(verdict: Verdict): Promise<ChallengeSummary[]> {
    const out: ChallengeSummary[] = [];
    for (const c of this.challenges.values()) {
      const shouldBe = verdict === "fraudulent" ? "Won" : "Lost";
      if (c.outcome !== undefined) {
        out.push(resolvedChallenge(c.id, c.challenger, c.outcome, c.reason ?? 0, shouldBe));
        continue;
      }
      const { phase, deadline } = await readChallenge(this.p.client, {
        address: this.p.addresses.disputeGame,
        id: c.id,
      });
      const name = PHASE_NAMES[phase] ?? "None";
      const mover =
        name === "AwaitRoots" || name === "AwaitWhole" || name === "AwaitChildren" ? "provider" : "challenger";
      out.push({
        id: c.id.toString(),
        challenger: c.challenger,
        phase: name,
        shouldBe,
        ...(name !== "Resolved" ? { next: { mover, deadline: Number(deadline) } } : {}),
      });
    }
    return out;
  }

  private providerTraceNote(t: ProviderTrace, committed: Extract<JobEvent, { kind: "JobCommitted" }>): string {
    const last = t.nodeRoots.at(-1);
    if (last === undefined || !same(last, committed.outputRoot)) {
      return "the trace the provider serves does not end in its committed output";
    }
    const k = firstDivergentNode(t.nodeRoots, this.honest.nodeRoots);
    return k === undefined
      ? "the trace the provider serves equals the re-execution"
      : `the trace the provider serves first differs from the re-execution at node ${k} (${this.compiled.nodeNames[k]})`;
  }

  // ------------------------------------------------------------------ steps

  private async step(e: JobEvent, inputBytes: Uint8Array): Promise<void> {
    const checks: ReplayCheck[] = [];
    const rule = (ok: boolean, detail: string) => checks.push({ kind: "rule", ok, detail });
    const honesty = (ok: boolean, detail: string) => checks.push({ kind: "honesty", ok, detail });
    const committed = this.events.find((x) => x.kind === "JobCommitted");
    const fraudulent = committed !== undefined && !same(committed.outputRoot, this.honest.outputRoot);
    let text: string;
    let actor: ReplayStep["actor"] = "anyone";
    let challengeId: bigint | undefined;
    let credit: ReplayStep["credit"];

    switch (e.kind) {
      case "JobRequested": {
        actor = "requester";
        const where = e.inputUri === "" ? `${inputBytes.length} bytes inline` : `by URI ${e.inputUri}`;
        text = `${short(e.requester)} requested model ${short(e.modelId)} on an input (${where}), fee ${tokens(e.fee)}, commit by ${time(e.commitDeadline)}`;
        rule(
          same(tensorRoot(this.honest.input), e.inputRoot),
          `the input hashes to the posted inputRoot ${short(e.inputRoot)}`,
        );
        break;
      }
      case "JobCommitted": {
        actor = "provider";
        const output = this.committedOutput(e.output);
        text = `${short(e.provider)} committed output ${this.describeOutput(output)}, window until ${time(e.windowEnd)}`;
        rule(
          same(commitmentHashOf(this.p.jobId, e.provider, e.outputRoot), e.commitmentHash),
          "the commitment hash is H(jobId, provider, outputRoot)",
        );
        rule(same(tensorRoot(output), e.outputRoot), "the output bytes hash to the committed outputRoot");
        honesty(
          same(e.outputRoot, this.honest.outputRoot),
          same(e.outputRoot, this.honest.outputRoot)
            ? "the output equals the re-execution"
            : `the output differs from the re-execution, which gives ${this.describeOutput(this.honest.output)}`,
        );
        break;
      }
      case "ChallengeCommitted":
        actor = "challenger";
        challengeId = e.id;
        text = `${short(e.challenger)} committed challenge #${e.id} (which job stays hidden until the reveal)`;
        break;
      case "ChallengeRevealed": {
        actor = "challenger";
        challengeId = e.id;
        this.challenges.set(e.id, { id: e.id, challenger: e.challenger });
        text = `${short(e.challenger)} revealed challenge #${e.id} against this result, bond ${tokens(e.bond)}`;
        if (committed !== undefined) {
          rule(same(e.commitmentHash, committed.commitmentHash), "it names the job's current commitment hash");
        }
        honesty(
          fraudulent,
          fraudulent
            ? "the result is wrong: this challenger should win"
            : "the result is honest: this challenger should lose its bond",
        );
        break;
      }
      case "JobDisputed":
        text = "the job is frozen while the dispute lasts";
        break;
      case "RootsPosted": {
        actor = "provider";
        this.postedRoots = e.nodeRoots;
        text = `the provider posted its ${e.nodeRoots.length} node roots`;
        rule(e.nodeRoots.length === this.compiled.nodes.length, `one root per node (${this.compiled.nodes.length})`);
        if (committed !== undefined) {
          const last = e.nodeRoots.at(-1);
          rule(last !== undefined && same(last, committed.outputRoot), "the last root is the committed outputRoot");
        }
        const k = firstDivergentNode(e.nodeRoots, this.honest.nodeRoots);
        honesty(
          k === undefined,
          k === undefined
            ? "every root equals the re-execution's"
            : `the roots first differ from the re-execution at node ${k} (${this.compiled.nodeNames[k]})`,
        );
        break;
      }
      case "NodeSelected": {
        actor = "challenger";
        challengeId = e.id;
        const c = this.challenges.get(e.id);
        const node = this.compiled.nodes[e.node];
        text = `challenge #${e.id}: the challenger disputes node ${e.node} (${this.compiled.nodeNames[e.node] ?? "?"}), ${e.wordCount} words`;
        if (node !== undefined) rule(wordCount(node.output) === e.wordCount, "the word count is the node output's");
        if (c !== undefined) {
          c.node = e.node;
          c.anchor = { level: depthFor(e.wordCount), index: 0 };
        }
        const k =
          this.postedRoots !== undefined ? firstDivergentNode(this.postedRoots, this.honest.nodeRoots) : undefined;
        honesty(
          k === e.node,
          k === undefined
            ? "the provider's roots are all honest: no node can be proven wrong"
            : k === e.node
              ? "it is the first node whose root differs from the re-execution"
              : `the first differing node is ${k}, not ${e.node}`,
        );
        break;
      }
      case "WholeRevealed": {
        actor = "provider";
        challengeId = e.id;
        const c = this.challenges.get(e.id);
        text = `challenge #${e.id}: the provider revealed all ${e.words.length} words of the node's output`;
        if (c?.node !== undefined) {
          c.words = e.words;
          const spec = at(this.compiled.nodes, c.node).output;
          const root = this.postedRoots?.[c.node];
          if (root !== undefined) {
            rule(
              same(tensorRootOf(spec, treeOfWords(e.words).root), root),
              "the words open to the provider's posted root",
            );
          }
          const d = divergentElement(spec, e.words, 0, this.honest.commitment(c.node));
          honesty(
            d === undefined,
            d === undefined
              ? "every element equals the re-execution"
              : `element ${d} is ${this.elementOf(spec, e.words, d)}, the re-execution gives ${at(this.honest.nodeOutputs, c.node).at(d)}`,
          );
        }
        break;
      }
      case "ChildrenRevealed": {
        actor = "provider";
        challengeId = e.id;
        const c = this.challenges.get(e.id);
        text = `challenge #${e.id}: the provider revealed ${e.children.length} children of subtree (${e.level}, ${e.index})`;
        if (c?.node !== undefined && c.anchor !== undefined) {
          const subtree = MerkleTree.fromHexLeaves(e.children).root;
          if (c.anchor.hash === undefined) {
            const root = this.postedRoots?.[c.node];
            if (root !== undefined) {
              rule(
                same(tensorRootOf(at(this.compiled.nodes, c.node).output, subtree), root),
                "they open the provider's posted root",
              );
            }
          } else {
            rule(same(subtree, c.anchor.hash), "they hash to the chosen subtree node");
          }
          rule(e.level === c.anchor.level && e.index === c.anchor.index, "they are the children of the current anchor");
          c.children = e.children;
          const want = divergentChild(e.children, this.honestTree(c.node), e.level, e.index);
          honesty(
            want === undefined,
            want === undefined ? "every child equals the re-execution's" : `child ${want} is the first that differs`,
          );
        }
        break;
      }
      case "ChildChosen": {
        actor = "challenger";
        challengeId = e.id;
        const c = this.challenges.get(e.id);
        text = `challenge #${e.id}: the challenger chose child ${e.index}`;
        if (c?.node !== undefined && c.anchor !== undefined && c.children !== undefined) {
          rule(e.index < c.children.length, "the index is one of the revealed children");
          const want = divergentChild(c.children, this.honestTree(c.node), c.anchor.level, c.anchor.index);
          honesty(
            want === e.index,
            want === undefined
              ? "no child differs: the challenger cannot win"
              : want === e.index
                ? "it is the first differing child"
                : `the first differing child is ${want}`,
          );
          const step = stepAt(c.anchor.level);
          c.anchor = {
            level: c.anchor.level - step,
            index: (c.anchor.index << step) + e.index,
            hash: c.children[e.index],
          };
          c.children = undefined;
        }
        break;
      }
      case "StepChecked": {
        actor = "challenger";
        challengeId = e.id;
        const c = this.challenges.get(e.id);
        const verdict = e.claimed === e.recomputed ? "equal: the challenge fails" : "different: fraud proven";
        text = `challenge #${e.id}: one-step check of element ${e.outIndex}: claimed ${e.claimed}, recomputed on chain ${e.recomputed} — ${verdict}`;
        if (c?.node !== undefined) await this.checkStep(e, c.node, rule, honesty);
        break;
      }
      case "FloatStepChecked": {
        // Float32 jobs are refused before any step (model.ts); the event is named for completeness.
        actor = "challenger";
        challengeId = e.id;
        text = `challenge #${e.id}: float32 one-step check of element ${e.outIndex}: claimed bits ${e.claimed}, verdict ${["ADMISSIBLE", "VIOLATES", "UNCHECKED"][e.verdict] ?? e.verdict}`;
        break;
      }
      case "ChallengeResolved": {
        challengeId = e.id;
        const c = this.challenges.get(e.id);
        if (c !== undefined) {
          c.outcome = e.outcome;
          c.reason = e.reason;
        }
        const { outcome, reason } = resolutionNames(e.outcome, e.reason);
        text = `challenge #${e.id} resolved: ${outcome} (${reason})`;
        if (outcome !== "Moot") {
          const should = fraudulent ? "Won" : "Lost";
          const own =
            (outcome === "Lost" && reason === "ChallengerTimeout") ||
            (outcome === "Won" && reason === "ProviderTimeout");
          honesty(
            outcome === should,
            outcome === should
              ? `as it should: the result is ${fraudulent ? "wrong" : "honest"}`
              : `the result is ${fraudulent ? "wrong" : "honest"}, so it should have been ${should}${own ? " (a party missed its deadline)" : ""}`,
          );
        }
        break;
      }
      case "DisputeSettled": {
        text = e.fraud
          ? `the dispute settled: fraud, bounty ${tokens(e.bounty)} to challenge #${e.winner}`
          : "the dispute settled: no fraud, the job is released";
        if (e.fraud) {
          const slashed = this.events.find((x) => x.kind === "JobSlashed");
          const bps = await readBountyBps(this.p.client, { address: this.p.addresses.disputeGame });
          if (slashed !== undefined) {
            rule(e.bounty === (slashed.collateral * bps) / 10_000n, `the bounty is ${bps} bps of the collateral`);
          }
          const winner = this.challenges.get(e.winner);
          rule(winner?.outcome === Outcome.Won, `challenge #${e.winner} won`);
        }
        break;
      }
      case "JobReleased":
        text = "every challenge failed: the job is released and finalizes after its window";
        break;
      case "JobFinalized":
        text = `finalized: fee ${tokens(e.fee)} paid to ${short(e.provider)}, the result is final`;
        honesty(
          !fraudulent,
          fraudulent ? "a WRONG result became final (nobody proved it wrong in time)" : "an honest result became final",
        );
        break;
      case "JobSlashed":
        text = `slashed: ${short(e.provider)} lost collateral ${tokens(e.collateral)}, fee ${tokens(e.refund)} refunded (claimable in the dispute game)`;
        honesty(fraudulent, fraudulent ? "a wrong result was slashed" : "an HONEST result was slashed");
        break;
      case "JobExpired":
        text = `expired: nobody committed in time, fee ${tokens(e.refund)} refunded`;
        break;
      case "CallbackFailed":
        text = `the consumer callback of ${short(e.consumer)} failed (the job resolved anyway)`;
        break;
      case "Credited":
        // Pull payments (docs/PROTOCOL.md §9.5): the amount waits in claimable until withdrawn.
        text = `credited ${tokens(e.amount)} to ${short(e.account)} (${creditReasonName(e.reason)}), claimable in the dispute game`;
        credit = { account: e.account, reason: creditReasonName(e.reason), amount: e.amount };
        break;
    }
    this.steps.push({
      index: this.steps.length,
      event: e.kind,
      block: Number(e.blockNumber),
      timestamp: Number(e.timestamp),
      tx: e.transactionHash,
      ...(challengeId !== undefined ? { challengeId: challengeId.toString() } : {}),
      actor,
      text,
      checks,
      ...(credit !== undefined ? { credit } : {}),
    });
  }

  /** Re-checks a one-step proof: the claim, the on-chain recomputation (from calldata) and the honest value. */
  private async checkStep(
    e: Extract<JobEvent, { kind: "StepChecked" }>,
    nodeIndex: number,
    rule: (ok: boolean, detail: string) => void,
    honesty: (ok: boolean, detail: string) => void,
  ): Promise<void> {
    const node = at(this.compiled.nodes, nodeIndex);
    const outIndex = Number(e.outIndex);
    const honestOperands = operandTensors(this.compiled, this.honest, nodeIndex);
    const honestValue = evaluateElement(node, honestOperands, outIndex);
    const sent = await sentStepProof(this.p.client, this.p.addresses.disputeGame, e.transactionHash);
    if (sent === undefined) {
      rule(true, "the proof was sent through another contract: its calldata is not re-checked");
    } else {
      rule(claimedFromProof(node, sent) === e.claimed, "the claimed element is the one in the opened output word");
      const c = [...this.challenges.values()].find((x) => x.id === e.id);
      if (c?.words !== undefined) {
        rule(
          same(c.words[sent.outWordIndex] ?? "0x", sent.outWord),
          "the opened output word is the one the provider revealed",
        );
      }
      try {
        const runs = dependencies(node, honestOperands, outIndex);
        const inputRoot = this.events.find((x) => x.kind === "JobRequested")?.inputRoot ?? "0x";
        const ts = recomputeFromProof(node, sent, inputRoot, runs);
        rule(
          ts === e.recomputed,
          `the reference evaluator recomputes ${ts} from the proof's openings (chain: ${e.recomputed})`,
        );
      } catch (err) {
        rule(false, `the proof's openings do not re-check: ${(err as Error).message}`);
      }
    }
    honesty(
      honestValue === e.recomputed,
      `the re-execution gives ${honestValue} for element ${outIndex} of node ${nodeIndex}${honestValue === e.claimed ? " (= the claim)" : ` (≠ the claim ${e.claimed})`}`,
    );
  }

  // ------------------------------------------------------------------ helpers

  private honestTree(node: number): MerkleTree {
    let t = this.honestTrees.get(node);
    if (t === undefined) {
      t = this.honest.commitment(node).tree;
      this.honestTrees.set(node, t);
    }
    return t;
  }

  /** Element `index` (row-major: node outputs are) of a whole reveal. */
  private elementOf(spec: TensorSpec, words: readonly Hex[], index: number): string {
    return elementFromWords(spec, 0, words, index).toString();
  }

  private committedOutput(output: Hex): Tensor {
    return unpack({ ...this.compiled.output }, hexToBytes(output));
  }

  private label(t: Tensor): string | undefined {
    const labels = this.model.labels;
    if (labels === undefined || elementCount(t.spec.shape) !== 1) return undefined;
    return labels[Number(t.at(0))];
  }

  private describeOutput(t: Tensor): string {
    const vals = values(t);
    const shown = vals.length > 8 ? `[${vals.slice(0, 8).join(", ")}, …]` : `[${vals.join(", ")}]`;
    const label = this.label(t);
    return label !== undefined ? `${shown} (${label})` : shown;
  }
}

function values(t: Tensor): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.size; i++) out.push(t.at(i).toString());
  return out;
}

function same(a: Hex, b: Hex): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function short(h: string): string {
  return h.length > 14 ? `${h.slice(0, 8)}…${h.slice(-4)}` : h;
}

/** A token amount for the story, assuming 18 decimals (the JSON keeps base units). */
function tokens(x: bigint): string {
  return `${formatUnits(x, 18)} tokens`;
}

function time(t: bigint): string {
  return new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
}

/** The one-paragraph conclusion printed at the end. */
export function summarize(r: ReplayReport): string {
  const verdictText =
    r.verdict === "honest" ? "HONEST result" : r.verdict === "fraudulent" ? "FRAUDULENT result" : "no result to judge";
  const chainText: Record<ChainVerdict, string> = {
    honest: "the chain finalized it",
    fraudulent: "the chain slashed it",
    "in-progress": `a dispute is in progress; the ${r.shouldWin ?? "?"} should win`,
    pending: "the chain has not decided yet (in its challenge window or awaiting finalize)",
    expired: "the job expired uncommitted",
    "no-result": "nothing was committed",
  };
  const agreement = r.agrees === null ? "" : r.agrees ? " — the chain AGREES" : " — the chain DISAGREES";
  const rules = r.ruleViolations > 0 ? ` ${r.ruleViolations} move(s) failed a rule re-check.` : "";
  return `job ${r.jobId}: ${verdictText} (${r.verdictReason}); ${chainText[r.chainVerdict]}${agreement}.${rules}`;
}
