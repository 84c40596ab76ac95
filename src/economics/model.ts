/**
 * The analytic model of Refute's economic security (docs/ECONOMICS.md).
 *
 * Pure functions of a handful of parameters: how likely a wrong result is caught,
 * what cheating earns, how much collateral makes it unprofitable, what a watcher
 * earns and spends, and where the provider/watcher game settles.
 *
 * Units: every token amount (fee, costs, collateral, bond, gas) is a decimal number
 * of *whole tokens* of the protocol's ERC-20 (the token stakes, bonds and fees are
 * paid in; 1 token = 10^18 base units on chain). Gas costs are converted to tokens
 * by the caller (gas used × gas price × token/ETH price). Rates are probabilities.
 *
 * Notation (docs/ECONOMICS.md §2):
 *   s   sampling rate of one watcher (each job independently, with probability s)
 *   w   number of independent watchers
 *   F   job fee (refunded to the requester when the job is slashed)
 *   c_p provider's cost of executing a job honestly (what cheating saves)
 *   C   collateral locked per job (slashed when fraud is proven)
 *   B   challenger bond (lost to the provider when a challenge fails)
 *   β   bounty share of C paid to the first successful challenger (0.5, PROTOCOL §9.4)
 *   c_w watcher's cost of re-executing one job
 *   q   cheat rate: probability that a job is cheated
 *   N   job volume
 *   g_c challenger's gas cost of a full dispute, in tokens
 *   g_p provider's gas cost of answering a full dispute, in tokens
 */
import { z } from "zod";

/** The slashed-collateral split of PROTOCOL §9.4. */
export const PAYOUT_SPLIT = { bounty: 0.5, requester: 0.3, treasury: 0.2 } as const;

const amount = () =>
  z.number({ error: "must be a number" }).min(0, { error: "must be ≥ 0" }).max(1e30, { error: "must be ≤ 1e30" });

const probability = () =>
  z
    .number({ error: "must be a number" })
    .min(0, { error: "must be between 0 and 1" })
    .max(1, { error: "must be between 0 and 1" });

/** Validation schema of {@link EconomicsInputs}; unknown keys are rejected. */
export const economicsInputsSchema = z
  .object({
    /** s: each watcher re-executes each job independently with this probability. */
    samplingRate: probability(),
    /** w: independent watchers, each sampling at rate s. */
    watchers: z
      .number({ error: "must be a number" })
      .int({ error: "must be a whole number" })
      .min(1, { error: "must be ≥ 1" })
      .max(10_000, { error: "must be ≤ 10000" }),
    /** F: job fee, tokens. */
    fee: amount(),
    /** c_p: provider's cost of one honest execution, tokens. */
    providerCost: amount(),
    /** C: collateral per job, tokens. */
    collateral: amount(),
    /** B: challenger bond, tokens. */
    bond: amount(),
    /** β: share of C paid as bounty (PROTOCOL §9.4: 0.5). */
    bountyShare: probability(),
    /** c_w: a watcher's cost of re-executing one job, tokens. */
    watcherCost: amount(),
    /** q: probability that a job is cheated. */
    cheatRate: probability(),
    /** N: job volume (and the length of a simulation). */
    jobs: z
      .number({ error: "must be a number" })
      .int({ error: "must be a whole number" })
      .min(1, { error: "must be ≥ 1" })
      .max(1e9, { error: "must be ≤ 1e9" }),
    /** g_c: a challenger's gas for a full dispute (reveal to proof), tokens. */
    challengerDisputeGas: amount(),
    /** g_p: the provider's gas for answering a full dispute (roots and reveals), tokens. */
    providerDisputeGas: amount(),
    /**
     * Whether the cheater pre-commits a hidden challenge against its own result (from
     * another address) and reveals it only when a watcher reveals: its challenge has
     * the lowest id, so it recovers the bounty βC and the watchers get nothing.
     */
    selfChallenge: z.boolean({ error: "must be true or false" }),
  })
  .strict();

export type EconomicsInputs = z.infer<typeof economicsInputsSchema>;

/**
 * The default parameters (reasoning in docs/ECONOMICS.md §4). Amounts in tokens; the
 * collateral and bond equal the registration defaults of src/model/defaultParams.ts
 * (100 and 10 tokens), for a job fee of 10 tokens.
 */
export const DEFAULT_INPUTS: EconomicsInputs = Object.freeze({
  samplingRate: 0.1,
  watchers: 3,
  fee: 10,
  providerCost: 5,
  collateral: 100,
  bond: 10,
  bountyShare: PAYOUT_SPLIT.bounty,
  watcherCost: 5,
  cheatRate: 0.01,
  jobs: 10_000,
  challengerDisputeGas: 2,
  providerDisputeGas: 4,
  selfChallenge: false,
});

/** One rejected input: the field and a message naming the constraint and the value. */
export interface InputIssue {
  readonly field: keyof EconomicsInputs | "(input)";
  readonly message: string;
}

/** Thrown by {@link parseEconomicsInputs}; `issues` lists every rejected field. */
export class EconomicsInputError extends Error {
  readonly issues: readonly InputIssue[];
  constructor(issues: readonly InputIssue[]) {
    super(issues.map((i) => `${i.field} ${i.message}`).join("; "));
    this.name = "EconomicsInputError";
    this.issues = issues;
  }
}

/**
 * Validates inputs, filling missing fields from {@link DEFAULT_INPUTS}.
 * @throws EconomicsInputError naming each bad field, its constraint and the value given.
 */
export function parseEconomicsInputs(raw: Partial<Record<keyof EconomicsInputs, unknown>> = {}): EconomicsInputs {
  const merged: Record<string, unknown> = { ...DEFAULT_INPUTS };
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) merged[k] = v;
  const r = economicsInputsSchema.safeParse(merged);
  if (r.success) return r.data;
  const issues: InputIssue[] = r.error.issues.map((issue) => {
    const key = issue.path[0];
    const field = typeof key === "string" && key in DEFAULT_INPUTS ? (key as keyof EconomicsInputs) : "(input)";
    if (issue.code === "unrecognized_keys") return { field, message: `has unknown keys ${issue.keys.join(", ")}` };
    const got = field === "(input)" ? undefined : merged[field];
    return { field, message: `${issue.message} (got ${describe(got)})` };
  });
  throw new EconomicsInputError(issues);
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === undefined || v === null) return String(v);
  return typeof v;
}

// ---------------------------------------------------------------------------
// Formulas. Each takes plain numbers so tests and charts can call them directly.
// ---------------------------------------------------------------------------

/**
 * Probability that a wrong result is caught by at least one of `w` independent
 * watchers each sampling with probability `s`:  P = 1 − (1 − s)^w.
 */
export function detectionProbability(s: number, w: number): number {
  return 1 - (1 - s) ** w;
}

/**
 * Expected share of the bounty a given watcher wins per *cheated* job, when the k
 * watchers that caught it race to commit and each wins with probability 1/k:
 *   E[win] = s · E[1/(1+K)],  K ~ Binomial(w − 1, s)  (the other catchers)
 *          = s · (1 − (1 − s)^w) / (w·s) = P / w.
 * By symmetry the catch probability P is split evenly among the w watchers.
 */
export function winProbabilityPerCheatedJob(s: number, w: number): number {
  return detectionProbability(s, w) / w;
}

/**
 * What a caught cheater loses relative to keeping the job unslashed:
 *   L = C + F             (collateral slashed, fee refunded to the requester)
 *   L = (1 − β)·C + F     (self-challenging cheater: its own pre-committed challenge
 *                          has the lowest id and recovers the bounty β·C)
 */
export function lossWhenCaught(collateral: number, fee: number, bountyShare: number, selfChallenge: boolean): number {
  return (selfChallenge ? 1 - bountyShare : 1) * collateral + fee;
}

/**
 * Cheater's expected profit per cheated job, relative to executing it honestly.
 * Honest: F − c_p. Cheating: F with probability 1 − P, −C (−(1−β)C when
 * self-challenging) with probability P. The difference is
 *   E = c_p − P·L,   L = C + F   (or (1 − β)·C + F).
 * Cheating is unprofitable iff E ≤ 0.
 */
export function cheaterExpectedProfit(providerCost: number, detection: number, loss: number): number {
  return providerCost - detection * loss;
}

/**
 * The least collateral that makes cheating unprofitable (E ≤ 0):
 *   C_min = max(0, c_p / P − F)                 (plain cheater)
 *   C_min = max(0, (c_p / P − F) / (1 − β))     (self-challenging cheater)
 * `null` when no collateral is enough (P = 0 and c_p > 0, or β = 1 for a
 * self-challenging cheater whose fee alone does not deter it).
 */
export function minimumCollateral(
  providerCost: number,
  detection: number,
  fee: number,
  bountyShare: number,
  selfChallenge: boolean,
): number | null {
  if (providerCost === 0) return 0;
  if (detection === 0) return null;
  const need = providerCost / detection - fee; // what κ·C must cover
  if (need <= 0) return 0;
  const kappa = selfChallenge ? 1 - bountyShare : 1;
  return kappa === 0 ? null : need / kappa;
}

/**
 * Sampling rate per watcher at which the provider is indifferent between cheating
 * and not (E = 0), the watchers' strategy in the mixed equilibrium:
 *   P* = c_p / L,   s* = 1 − (1 − c_p / L)^(1/w).
 * Any s > s* makes cheating unprofitable. `null` when even s = 1 does not (c_p > L).
 */
export function equilibriumSamplingRate(providerCost: number, loss: number, w: number): number | null {
  if (providerCost === 0) return 0;
  if (loss === 0 || providerCost > loss) return null;
  return 1 - (1 - providerCost / loss) ** (1 / w);
}

/** A watcher's expected revenue, cost and profit per job in the stream, at cheat rate q. */
export interface WatcherEconomics {
  /** q · (P/w) · β·C (0 against a self-challenging cheater). */
  readonly revenue: number;
  /** s·c_w + q·s·g_c. */
  readonly cost: number;
  /** revenue − cost. */
  readonly profit: number;
}

/**
 * One watcher's economics per job it sees (it re-executes each with probability s):
 *   revenue = q · (P / w) · β·C          (0 if the cheater self-challenges)
 *   cost    = s·c_w + q·s·g_c
 * Every watcher that catches a cheat challenges it and is charged the full dispute
 * gas g_c: it cannot know whether an earlier commit will carry its dispute through
 * (conservative; a moot challenge stops earlier). Its bond comes back whenever it
 * is right, so the bond costs nothing in expectation.
 */
export function watcherEconomics(
  i: EconomicsInputs,
  q: number = i.cheatRate,
  s: number = i.samplingRate,
): WatcherEconomics {
  const P = detectionProbability(s, i.watchers);
  const bounty = i.selfChallenge ? 0 : i.bountyShare * i.collateral;
  const revenue = (q * P * bounty) / i.watchers;
  const cost = s * i.watcherCost + q * s * i.challengerDisputeGas;
  return { revenue, cost, profit: revenue - cost };
}

/**
 * The least cheat rate q ∈ [0, 1] at which watching breaks even (expected profit ≥ 0):
 *   profit(q) = q·A − s·c_w,  A = (P/w)·β·C − s·g_c
 *   q* = s·c_w / A = c_w / (ρ·β·C − g_c),  ρ = P/(w·s) = expected share of a catch.
 * 0 when watching costs nothing (s = 0 or c_w = 0); `null` when no q ≤ 1 breaks even
 * (A ≤ 0, e.g. against a self-challenging cheater, or q* > 1).
 */
export function breakEvenCheatRate(i: EconomicsInputs, s: number = i.samplingRate): number | null {
  const fixed = s * i.watcherCost;
  if (fixed === 0) return 0;
  const P = detectionProbability(s, i.watchers);
  const bounty = i.selfChallenge ? 0 : i.bountyShare * i.collateral;
  const perCheat = (P * bounty) / i.watchers - s * i.challengerDisputeGas;
  if (perCheat <= 0) return null;
  const q = fixed / perCheat;
  return q <= 1 ? q : null;
}

/** The result of {@link analyze}; the CLI prints it as JSON. */
export interface EconomicsAnalysis {
  readonly inputs: EconomicsInputs;
  /** P = 1 − (1 − s)^w. */
  readonly detectionProbability: number;
  /** E = c_p − P·L per cheated job (L = C + F, or (1 − β)C + F when self-challenging). */
  readonly cheaterExpectedProfit: number;
  /** C_min; null when no collateral deters. */
  readonly minimumCollateral: number | null;
  readonly watcher: {
    /** Per watcher, per job in the stream: q·(P/w)·β·C. */
    readonly expectedRevenuePerJob: number;
    /** Per watcher, per job: s·c_w + q·s·g_c. */
    readonly expectedCostPerJob: number;
    /** Per watcher, per job: revenue − cost. */
    readonly expectedProfitPerJob: number;
    /** q*; null when watching cannot break even for any q ≤ 1. */
    readonly breakEvenCheatRate: number | null;
    /** w·s·c_w: the subsidy per job, for all w watchers, that keeps them whole when nobody cheats. */
    readonly subsidyPerJob: number;
    /** w·max(0, −profit): the subsidy per job needed at the given cheat rate q. */
    readonly subsidyPerJobAtCheatRate: number;
  };
  /** s* = 1 − (1 − c_p/L)^(1/w); null when even s = 1 does not deter. */
  readonly equilibriumSamplingRate: number | null;
  /** The watchers' indifference point at s*: q* evaluated at s = s*; null when none. */
  readonly equilibriumCheatRate: number | null;
  readonly griefing: {
    /** What a challenger of an honest result loses: B + g_c. */
    readonly griefersLossPerChallenge: number;
    /** What a griefing challenge costs the honest provider net of the bond it wins: g_p − B (negative: it gains). */
    readonly providerNetCostPerChallenge: number;
    /** B ≥ g_p: answering a dispute never costs an honest provider. */
    readonly bondCoversProviderGas: boolean;
  };
  /** Over N jobs: the cheater's profit N·q·E, one watcher's profit, and the subsidy N·w·s·c_w. */
  readonly totals: {
    readonly cheaterProfit: number;
    readonly watcherProfit: number;
    readonly subsidy: number;
  };
}

/** Evaluates every formula of the model for one parameter set. */
export function analyze(inputs: EconomicsInputs): EconomicsAnalysis {
  const i = inputs;
  const P = detectionProbability(i.samplingRate, i.watchers);
  const L = lossWhenCaught(i.collateral, i.fee, i.bountyShare, i.selfChallenge);
  const E = cheaterExpectedProfit(i.providerCost, P, L);
  const we = watcherEconomics(i);
  const sStar = equilibriumSamplingRate(i.providerCost, L, i.watchers);
  return {
    inputs: i,
    detectionProbability: P,
    cheaterExpectedProfit: E,
    minimumCollateral: minimumCollateral(i.providerCost, P, i.fee, i.bountyShare, i.selfChallenge),
    watcher: {
      expectedRevenuePerJob: we.revenue,
      expectedCostPerJob: we.cost,
      expectedProfitPerJob: we.profit,
      breakEvenCheatRate: breakEvenCheatRate(i),
      subsidyPerJob: i.watchers * i.samplingRate * i.watcherCost,
      subsidyPerJobAtCheatRate: i.watchers * Math.max(0, -we.profit),
    },
    equilibriumSamplingRate: sStar,
    equilibriumCheatRate: sStar === null ? null : breakEvenCheatRate(i, sStar),
    griefing: {
      griefersLossPerChallenge: i.bond + i.challengerDisputeGas,
      providerNetCostPerChallenge: i.providerDisputeGas - i.bond,
      bondCoversProviderGas: i.bond >= i.providerDisputeGas,
    },
    totals: {
      cheaterProfit: i.jobs * i.cheatRate * E,
      watcherProfit: i.jobs * we.profit,
      subsidy: i.jobs * i.watchers * i.samplingRate * i.watcherCost,
    },
  };
}
