import { Command, InvalidArgumentError } from "commander";
import { INTEGER_FAULT_KINDS, isFaultKind, type FaultKind } from "../dispute/faults.ts";

/** What `npm run demo` can be told. */
export interface DemoOptions {
  /** Jobs the requester workload sends. */
  readonly jobs: number;
  /** Share of the jobs served by the cheating provider (it cheats on every one it serves). */
  readonly cheatRate: number;
  /** The watcher's sampling rate. */
  readonly samplingRate: number;
  /** Fault kinds the cheater mixes. */
  readonly faults: readonly FaultKind[];
  /** Seeds the job routing, the images and the cheater's fault choices. */
  readonly seed: number;
  /** The model's challenge and response windows, seconds. */
  readonly challengeWindow: number;
  readonly responseWindow: number;
  /** Gives up (and fails) after this many seconds. */
  readonly timeoutSec: number;
  /** Where the report, logs and daemon databases go. */
  readonly outDir: string;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  jobs: 24,
  cheatRate: 0.3,
  samplingRate: 1,
  // The demo serves the shipped integer model: float-bias does not apply to it.
  faults: INTEGER_FAULT_KINDS,
  seed: 1,
  challengeWindow: 30,
  responseWindow: 20,
  timeoutSec: 480,
  outDir: "out",
};

function intIn(min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number in ${min}…${max}`);
    return n;
  };
}

function rate(v: string): number {
  const n = Number(v);
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(v) || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError("expected a number in 0…1");
  return n;
}

function faultList(v: string): FaultKind[] {
  const kinds = v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = kinds.filter((k) => !isFaultKind(k) || !INTEGER_FAULT_KINDS.includes(k));
  if (kinds.length === 0 || bad.length > 0)
    throw new InvalidArgumentError(
      `unknown fault kind(s) ${bad.join(", ")}; the shipped integer model takes: ${INTEGER_FAULT_KINDS.join(", ")}`,
    );
  return kinds as FaultKind[];
}

/** Parses the demo's command line (without `node script`). */
export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  const d = DEFAULT_DEMO_OPTIONS;
  const cmd = new Command("demo")
    .description(
      "the whole story on a local chain: deploy, an honest and a cheating provider, a watcher, " +
        "a workload of real Fashion-MNIST images; ends with a report (exit 0 only when every sampled bad job was slashed and no honest job challenged)",
    )
    .option("--jobs <n>", `jobs to request (default ${d.jobs})`, intIn(1, 1000))
    .option(
      "--cheat-rate <p>",
      `share of jobs served by the cheating provider, which cheats on each (default ${d.cheatRate})`,
      rate,
    )
    .option("--sampling-rate <p>", `the watcher's sampling rate (default ${d.samplingRate})`, rate)
    .option(
      "--faults <kinds>",
      `fault kinds the cheater mixes, comma-separated (default all: ${INTEGER_FAULT_KINDS.join(",")})`,
      faultList,
    )
    .option("--seed <n>", `seed of the routing, images and faults (default ${d.seed})`, intIn(0, 0xffffffff))
    .option("--challenge-window <s>", `challenge window, seconds (default ${d.challengeWindow})`, intIn(5, 3600))
    // The local deployment refuses a model whose response window is below its minResponseWindow (10 s).
    .option(
      "--response-window <s>",
      `response window, seconds, 10 or more (default ${d.responseWindow})`,
      intIn(10, 3600),
    )
    .option("--timeout <s>", `give up after this many seconds (default ${d.timeoutSec})`, intIn(30, 86_400))
    .option("--out <dir>", `report, logs and databases go here (default ${d.outDir})`)
    .exitOverride();
  cmd.parse([...argv], { from: "user" });
  const o = cmd.opts<{
    jobs?: number;
    cheatRate?: number;
    samplingRate?: number;
    faults?: FaultKind[];
    seed?: number;
    challengeWindow?: number;
    responseWindow?: number;
    timeout?: number;
    out?: string;
  }>();
  return {
    jobs: o.jobs ?? d.jobs,
    cheatRate: o.cheatRate ?? d.cheatRate,
    samplingRate: o.samplingRate ?? d.samplingRate,
    faults: o.faults ?? d.faults,
    seed: o.seed ?? d.seed,
    challengeWindow: o.challengeWindow ?? d.challengeWindow,
    responseWindow: o.responseWindow ?? d.responseWindow,
    timeoutSec: o.timeout ?? d.timeoutSec,
    outDir: o.out ?? d.outDir,
  };
}
