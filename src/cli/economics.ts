/**
 * `refute economics`: prints the economic-security model (src/economics/model.ts)
 * for one parameter set as a table or JSON, optionally with a Monte-Carlo check.
 *
 * Token amounts are decimal numbers of whole tokens of the protocol's ERC-20
 * (1 token = 10^18 base units); gas costs are given already converted to tokens.
 * A bad flag value is a UsageError (code BAD_FLAG) naming the flag: one line on
 * stderr, exit code 2 (src/cli/errors.ts).
 */
import type { Command } from "commander";
import {
  DEFAULT_INPUTS,
  EconomicsInputError,
  analyze,
  parseEconomicsInputs,
  type EconomicsAnalysis,
  type EconomicsInputs,
} from "../economics/model.ts";
import { simulate, type Estimate, type SimulationResult } from "../economics/simulate.ts";
import { describeError, ExitCode, UsageError } from "./errors.ts";
import { at } from "../tensor/at.ts";

type NumericField = Exclude<keyof EconomicsInputs, "selfChallenge">;

/** Each numeric input: its flag, commander's attribute name, whether it is an integer, and its help. */
const NUMERIC_FLAGS: readonly {
  readonly field: NumericField;
  readonly flag: string;
  readonly attr: string;
  readonly integer: boolean;
  readonly help: string;
}[] = [
  {
    field: "samplingRate",
    flag: "--sampling-rate",
    attr: "samplingRate",
    integer: false,
    help: "s: probability that one watcher re-executes a job",
  },
  { field: "watchers", flag: "--watchers", attr: "watchers", integer: true, help: "w: independent watchers" },
  { field: "fee", flag: "--fee", attr: "fee", integer: false, help: "F: job fee, tokens" },
  {
    field: "providerCost",
    flag: "--provider-cost",
    attr: "providerCost",
    integer: false,
    help: "c_p: provider's cost of an honest execution, tokens",
  },
  {
    field: "collateral",
    flag: "--collateral",
    attr: "collateral",
    integer: false,
    help: "C: collateral per job, tokens",
  },
  { field: "bond", flag: "--bond", attr: "bond", integer: false, help: "B: challenger bond, tokens" },
  {
    field: "bountyShare",
    flag: "--bounty-share",
    attr: "bountyShare",
    integer: false,
    help: "β: share of C paid to the winning challenger",
  },
  {
    field: "watcherCost",
    flag: "--watcher-cost",
    attr: "watcherCost",
    integer: false,
    help: "c_w: a watcher's cost of one re-execution, tokens",
  },
  {
    field: "cheatRate",
    flag: "--cheat-rate",
    attr: "cheatRate",
    integer: false,
    help: "q: probability that a job is cheated",
  },
  { field: "jobs", flag: "--jobs", attr: "jobs", integer: true, help: "N: job volume (and simulated jobs)" },
  {
    field: "challengerDisputeGas",
    flag: "--dispute-gas",
    attr: "disputeGas",
    integer: false,
    help: "g_c: challenger's gas for a full dispute, tokens",
  },
  {
    field: "providerDisputeGas",
    flag: "--provider-dispute-gas",
    attr: "providerDisputeGas",
    integer: false,
    help: "g_p: provider's gas for answering a full dispute, tokens",
  },
];

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^\+?\d+$/;

/** The JSON the command prints: the analysis plus, with --simulate, the simulation. */
export type EconomicsReport = EconomicsAnalysis & { readonly simulation?: SimulationResult };

export interface EconomicsIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Commander's parsed options of the command: raw strings, so every error can name its flag. */
export type EconomicsOptions = Readonly<Record<string, string | boolean | undefined>>;

const badFlag = (message: string) => new UsageError("BAD_FLAG", message);

/** Turns the raw option values into validated inputs, or throws a UsageError (BAD_FLAG) naming the flag. */
export function inputsFromOptions(opts: EconomicsOptions): EconomicsInputs {
  const raw: Partial<Record<keyof EconomicsInputs, unknown>> = {};
  for (const f of NUMERIC_FLAGS) {
    const v = opts[f.attr];
    if (v === undefined) continue;
    const text = String(v).trim();
    if (!(f.integer ? INTEGER : DECIMAL).test(text)) {
      throw badFlag(
        `${f.flag} must be ${f.integer ? "a whole number" : "a decimal number"} (got ${JSON.stringify(String(v))})`,
      );
    }
    const n = Number(text);
    if (!Number.isFinite(n)) throw badFlag(`${f.flag} is out of range (got ${JSON.stringify(text)})`);
    raw[f.field] = n;
  }
  if (opts.selfChallenge === true) raw.selfChallenge = true;
  try {
    return parseEconomicsInputs(raw);
  } catch (e) {
    if (!(e instanceof EconomicsInputError)) throw e;
    const flagOf = (field: string) => NUMERIC_FLAGS.find((f) => f.field === field)?.flag ?? field;
    throw badFlag(e.issues.map((i) => `${flagOf(i.field)} ${i.message}`).join("; "));
  }
}

function seedFromOptions(opts: EconomicsOptions): number {
  const v = opts.seed;
  if (v === undefined) return 1;
  const text = String(v).trim();
  const n = Number(text);
  if (!INTEGER.test(text) || n > 0xffffffff) {
    throw badFlag(`--seed must be a whole number between 0 and 4294967295 (got ${JSON.stringify(String(v))})`);
  }
  return n;
}

/**
 * The report for parsed options (the analysis, plus the simulation with --simulate).
 * @throws UsageError with code BAD_FLAG naming the flag; the `refute` program prints it
 * as one line, `refute: BAD_FLAG: <message>`, and exits with 2.
 */
export function economicsReport(opts: EconomicsOptions): EconomicsReport {
  const inputs = inputsFromOptions(opts);
  const seed = seedFromOptions(opts);
  const analysis = analyze(inputs);
  if (opts.simulate !== true) return analysis;
  if (inputs.jobs < 2) throw badFlag(`--jobs must be ≥ 2 with --simulate (got ${inputs.jobs})`);
  return { ...analysis, simulation: simulate(inputs, { jobs: inputs.jobs, seed }) };
}

/** The command's output for a report: JSON or the table. */
export function renderEconomics(report: EconomicsReport, json: boolean): string {
  return json ? `${JSON.stringify(report, null, 2)}\n` : formatTable(report);
}

/** Runs the command in process: prints the report or the one-line error; returns the exit code (0 or 2). */
export function runEconomics(opts: EconomicsOptions, io: EconomicsIo): number {
  let report: EconomicsReport;
  try {
    report = economicsReport(opts);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const { line, exitCode } = describeError(e);
    io.err(`${line}\n`);
    return exitCode;
  }
  io.out(renderEconomics(report, opts.json === true));
  return ExitCode.OK;
}

/** Adds `refute economics` to the program. A bad flag value throws a UsageError (BAD_FLAG) out of the action. */
export function registerEconomicsCommand(program: Command): void {
  const cmd = program
    .command("economics")
    .description(
      "Economic security of the protocol: detection probability, cheater's profit, minimum collateral, " +
        "watcher economics and equilibrium (token amounts in whole tokens of the fee/stake token)",
    )
    .option("--json", "print JSON instead of a table")
    .option("--simulate", "also run a seeded Monte-Carlo simulation over --jobs jobs")
    .option("--seed <n>", "simulation seed (default 1)")
    .option("--self-challenge", "the cheater pre-commits a challenge against itself and recovers the bounty");
  for (const f of NUMERIC_FLAGS) {
    cmd.option(`${f.flag} <${f.integer ? "n" : "x"}>`, `${f.help} (default ${DEFAULT_INPUTS[f.field]})`);
  }
  cmd.action((opts: EconomicsOptions) => {
    process.stdout.write(renderEconomics(economicsReport(opts), opts.json === true));
  });
}

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

/** Six significant digits, no exponent for ordinary magnitudes; "none" for null. */
export function formatNumber(x: number | null): string {
  if (x === null) return "none";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e12) return String(Number(x.toPrecision(6)));
  return x.toExponential(4);
}

function rows(title: string, entries: readonly (readonly string[])[]): string {
  const cols = Math.max(...entries.map((e) => e.length));
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...entries.map((e) => (e[c] ?? "").length)));
  const lines = entries.map((e) =>
    `  ${e.map((cell, c) => (c < cols - 1 ? cell.padEnd(at(widths, c)) : cell)).join("  ")}`.trimEnd(),
  );
  return `${title}\n${lines.join("\n")}\n`;
}

/** Simulated mean ± standard error, the model's value, and the distance in standard errors. */
function estimate(label: string, e: Estimate | null, analytic: number): string[] {
  const model = `model ${formatNumber(analytic)}`;
  if (e === null) return [label, "n/a (fewer than 2 samples)", model, ""];
  const z = e.standardError > 0 ? (e.mean - analytic) / e.standardError : 0;
  return [
    label,
    `${formatNumber(e.mean)} ± ${formatNumber(e.standardError)}`,
    model,
    `${z >= 0 ? "+" : ""}${z.toFixed(2)}σ`,
  ];
}

/** The human-readable report. */
export function formatTable(r: EconomicsReport): string {
  const i = r.inputs;
  const L = i.selfChallenge ? "(1 − β)·C + F" : "C + F";
  const parts: string[] = [
    "refute economics (amounts in tokens: whole units of the fee/stake ERC-20, 1 token = 10^18 base units)\n",
    rows("inputs", [
      ["s", "sampling rate per watcher", formatNumber(i.samplingRate)],
      ["w", "watchers", formatNumber(i.watchers)],
      ["F", "job fee", formatNumber(i.fee)],
      ["c_p", "provider's cost of an honest execution", formatNumber(i.providerCost)],
      ["C", "collateral per job", formatNumber(i.collateral)],
      ["B", "challenger bond", formatNumber(i.bond)],
      ["β", "bounty share of C", formatNumber(i.bountyShare)],
      ["c_w", "watcher's cost of a re-execution", formatNumber(i.watcherCost)],
      ["q", "cheat rate", formatNumber(i.cheatRate)],
      ["N", "jobs", formatNumber(i.jobs)],
      ["g_c", "challenger's gas for a full dispute", formatNumber(i.challengerDisputeGas)],
      ["g_p", "provider's gas for answering a dispute", formatNumber(i.providerDisputeGas)],
      ["", "cheater self-challenges", i.selfChallenge ? "yes" : "no"],
    ]),
    rows("security", [
      ["detection probability", "P = 1 − (1 − s)^w", formatNumber(r.detectionProbability)],
      ["cheater's expected profit per cheated job", `E = c_p − P·(${L})`, formatNumber(r.cheaterExpectedProfit)],
      [
        "minimum collateral",
        i.selfChallenge ? "C_min = max(0, (c_p/P − F)/(1 − β))" : "C_min = max(0, c_p/P − F)",
        formatNumber(r.minimumCollateral),
      ],
      ["equilibrium sampling rate", `s* = 1 − (1 − c_p/(${L}))^(1/w)`, formatNumber(r.equilibriumSamplingRate)],
      ["equilibrium cheat rate", "q* at s = s*", formatNumber(r.equilibriumCheatRate)],
    ]),
    rows("watcher (one watcher, per job in the stream)", [
      [
        "expected revenue",
        i.selfChallenge ? "0 (the cheater takes the bounty)" : "q·(P/w)·β·C",
        formatNumber(r.watcher.expectedRevenuePerJob),
      ],
      ["expected cost", "s·c_w + q·s·g_c", formatNumber(r.watcher.expectedCostPerJob)],
      ["expected profit", "revenue − cost", formatNumber(r.watcher.expectedProfitPerJob)],
      ["break-even cheat rate", "q* = s·c_w / ((P/w)·β·C − s·g_c)", formatNumber(r.watcher.breakEvenCheatRate)],
      ["subsidy per job, all watchers, q = 0", "w·s·c_w", formatNumber(r.watcher.subsidyPerJob)],
      ["subsidy per job at cheat rate q", "w·max(0, −profit)", formatNumber(r.watcher.subsidyPerJobAtCheatRate)],
    ]),
    rows("griefing (challenging an honest result)", [
      ["griefer's loss per challenge", "B + g_c", formatNumber(r.griefing.griefersLossPerChallenge)],
      ["provider's net cost per challenge", "g_p − B", formatNumber(r.griefing.providerNetCostPerChallenge)],
      ["bond covers the provider's gas", "B ≥ g_p", r.griefing.bondCoversProviderGas ? "yes" : "NO"],
    ]),
    rows(`totals over N = ${formatNumber(i.jobs)} jobs`, [
      ["cheater's expected profit", "N·q·E", formatNumber(r.totals.cheaterProfit)],
      ["one watcher's expected profit", "N·(revenue − cost)", formatNumber(r.totals.watcherProfit)],
      ["subsidy for all watchers, q = 0", "N·w·s·c_w", formatNumber(r.totals.subsidy)],
    ]),
  ];
  const sim = r.simulation;
  if (sim !== undefined) {
    parts.push(
      rows(
        `simulation (${formatNumber(sim.jobs)} jobs, seed ${sim.seed}, ${sim.cheatedJobs} cheated, ${sim.caughtJobs} caught): mean ± standard error`,
        [
          estimate("detection probability", sim.detectionProbability, r.detectionProbability),
          estimate("cheater's profit per cheated job", sim.cheaterProfitPerCheatedJob, r.cheaterExpectedProfit),
          estimate("watcher revenue per job", sim.watcherRevenuePerJob, r.watcher.expectedRevenuePerJob),
          estimate("watcher cost per job", sim.watcherCostPerJob, r.watcher.expectedCostPerJob),
          estimate("watcher profit per job", sim.watcherProfitPerJob, r.watcher.expectedProfitPerJob),
        ],
      ),
    );
  }
  return parts.join("\n");
}
