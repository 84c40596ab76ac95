/**
 * Monte-Carlo simulation of the game that src/economics/model.ts solves in closed
 * form, played job by job with the payout rules of PROTOCOL §9.4 rather than with
 * the model's formulas, so the two check each other (test/economics/model.test.ts).
 *
 * Per job: the provider cheats with probability q; each of the w watchers
 * re-executes it independently with probability s (paying c_w); when it was
 * cheated, every watcher that re-executed it catches it and challenges (paying the
 * dispute gas g_c); the catchers' commits land in a uniformly random order and the
 * first one wins the bounty β·C — unless the cheater self-challenges, in which case
 * its own earlier commit wins and the watchers only get their bonds back. A caught
 * cheater loses its collateral C (recovering β·C when self-challenging) and the fee
 * F, which goes back to the requester; an uncaught one keeps F without paying c_p.
 */
import { at } from "../tensor/at.ts";
import { Rng } from "../vectors/rng.ts";
import type { EconomicsInputs } from "./model.ts";

/** A sample mean and its standard error (sample standard deviation / √n). */
export interface Estimate {
  readonly mean: number;
  readonly standardError: number;
  readonly samples: number;
}

export interface SimulationResult {
  readonly jobs: number;
  readonly seed: number;
  readonly cheatedJobs: number;
  readonly caughtJobs: number;
  /** Fraction of cheated jobs caught by at least one watcher; null with fewer than 2 cheated jobs. */
  readonly detectionProbability: Estimate | null;
  /** The cheater's payoff minus the honest payoff F − c_p, per cheated job; null with fewer than 2. */
  readonly cheaterProfitPerCheatedJob: Estimate | null;
  /** One watcher's bounty income per job in the stream (averaged over the w watchers). */
  readonly watcherRevenuePerJob: Estimate;
  /** Each watcher's own bounty income per job: the race splits the catches evenly, so all ≈ q·(P/w)·β·C. */
  readonly revenuePerJobByWatcher: readonly Estimate[];
  /** One watcher's re-execution and dispute-gas spending per job. */
  readonly watcherCostPerJob: Estimate;
  /** Revenue minus cost, per watcher per job. */
  readonly watcherProfitPerJob: Estimate;
}

/** Welford's running mean and variance. */
class Accumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.n += 1;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }

  estimate(): Estimate | null {
    if (this.n < 2) return null;
    const variance = Math.max(0, this.m2 / (this.n - 1));
    return { mean: this.mean, standardError: Math.sqrt(variance / this.n), samples: this.n };
  }
}

export interface SimulationOptions {
  /** Jobs to simulate (≥ 2); defaults to `inputs.jobs`. */
  readonly jobs?: number;
  /** PRNG seed; the same seed always gives the same result. */
  readonly seed?: number;
}

/** Plays `jobs` jobs of the provider/watcher game and returns the empirical means. */
export function simulate(inputs: EconomicsInputs, options: SimulationOptions = {}): SimulationResult {
  const jobs = options.jobs ?? inputs.jobs;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(jobs) || jobs < 2) throw new RangeError(`simulation needs at least 2 jobs (got ${jobs})`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`seed must be a u32 (got ${seed})`);
  const { samplingRate: s, watchers: w, cheatRate: q, fee: F, providerCost: cp, collateral: C } = inputs;
  const bounty = inputs.bountyShare * C;
  const honestPayoff = F - cp;
  const rng = new Rng(seed);

  const detection = new Accumulator();
  const cheaterProfit = new Accumulator();
  const revenue = new Accumulator();
  const cost = new Accumulator();
  const profit = new Accumulator();
  const byWatcher = Array.from({ length: w }, () => new Accumulator());
  const won = new Array<number>(w).fill(0);
  const catchers: number[] = [];
  let cheatedJobs = 0;
  let caughtJobs = 0;

  for (let j = 0; j < jobs; j++) {
    const cheated = rng.float() < q;
    catchers.length = 0;
    let jobCost = 0;
    for (let i = 0; i < w; i++) {
      if (rng.float() < s) {
        jobCost += inputs.watcherCost;
        catchers.push(i);
      }
    }
    let jobRevenue = 0;
    if (cheated) {
      cheatedJobs += 1;
      const caught = catchers.length > 0;
      let payoff: number;
      if (caught) {
        caughtJobs += 1;
        jobCost += catchers.length * inputs.challengerDisputeGas; // every catcher challenges
        if (inputs.selfChallenge) {
          payoff = -C + bounty; // the cheater's own lowest-id challenge takes the bounty
        } else {
          const first = at(catchers, rng.int(catchers.length)); // commits land in random order
          won[first] = bounty;
          jobRevenue = bounty;
          payoff = -C; // the fee goes back to the requester
        }
      } else {
        payoff = F; // paid without doing the work
      }
      detection.add(caught ? 1 : 0);
      cheaterProfit.add(payoff - honestPayoff);
    }
    byWatcher.forEach((acc, i) => {
      acc.add(at(won, i)); // won and byWatcher both hold one entry per watcher
      won[i] = 0;
    });
    revenue.add(jobRevenue / w);
    cost.add(jobCost / w);
    profit.add((jobRevenue - jobCost) / w);
  }

  const must = (a: Accumulator): Estimate => {
    const e = a.estimate();
    if (e === null) throw new Error("unreachable: at least 2 jobs were simulated");
    return e;
  };
  return {
    jobs,
    seed,
    cheatedJobs,
    caughtJobs,
    detectionProbability: detection.estimate(),
    cheaterProfitPerCheatedJob: cheaterProfit.estimate(),
    watcherRevenuePerJob: must(revenue),
    revenuePerJobByWatcher: byWatcher.map(must),
    watcherCostPerJob: must(cost),
    watcherProfitPerJob: must(profit),
  };
}
