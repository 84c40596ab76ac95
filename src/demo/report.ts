/**
 * The demo's report: every job replayed by the auditor tool (src/replay/) to tell
 * good results from bad ones independently of the daemons, the watcher's sample (from
 * its logs), the bounties paid (from chain events) and the accuracy of the finalized
 * results against the dataset's labels. The story holds when every job resolved,
 * every sampled bad job was slashed and no honest job was challenged.
 */
import { formatUnits, type PublicClient } from "viem";
import { getDisputeSettledLogs } from "../chain/read/disputeEvents.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import { replayJob } from "../replay/replay.ts";
import type { DemoClaims } from "./claims.ts";
import type { LogLine } from "./daemonProcess.ts";
import type { DemoOptions } from "./options.ts";
import type { SentJob } from "./workload.ts";

/** Class names of the shipped model (models/fmnist-mlp.card.json). */
export const CLASS_NAMES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

export interface DemoJobRow {
  readonly jobId: string;
  readonly image: number;
  readonly label: number;
  readonly provider: "honest" | "cheater";
  /** The cheater's fault kind, from its log. */
  readonly fault: string | null;
  /** The committed class, when a result was committed. */
  readonly committed: number | null;
  readonly status: string;
  readonly bad: boolean;
  readonly sampled: boolean;
  readonly challenged: boolean;
  /** Whether the auditor's replay reaches the chain's verdict (null: the chain has not decided). */
  readonly replayAgrees: boolean | null;
  /** The class an honest run gives (the replay's re-execution). */
  readonly honest: number | null;
}

export interface DemoReport {
  readonly jobs: number;
  readonly finalized: number;
  readonly slashed: number;
  readonly expired: number;
  /** Jobs whose committed result the replay found wrong. */
  readonly badJobs: number;
  readonly badJobsSampled: number;
  readonly badJobsSlashed: number;
  /** Bad results that became final (only possible with a sampling rate below 1). */
  readonly badJobsFinalized: number;
  readonly honestJobs: number;
  readonly honestJobsChallenged: number;
  /** Bounties paid to challengers, in tokens (18 decimals). */
  readonly bountiesPaid: number;
  readonly bountiesPaidBaseUnits: string;
  /** Finalized results that match the dataset's label, over finalized results. */
  readonly accuracy: number | null;
  /** The model's own accuracy on the same images (the replay's re-execution), for comparison. */
  readonly modelAccuracy: number | null;
  /** Replays whose verdict the chain reached, over jobs the chain decided. */
  readonly replayAgreement: string;
  readonly storyHeld: boolean;
  readonly problems: readonly string[];
  readonly elapsedSec: number;
  readonly options: {
    readonly jobs: number;
    readonly cheatRate: number;
    readonly samplingRate: number;
    readonly faults: readonly string[];
    readonly seed: number;
    readonly challengeWindow: number;
    readonly responseWindow: number;
  };
  readonly rows: readonly DemoJobRow[];
  /** Each party's dispute payouts and their withdrawal, once the jobs are done (src/demo/claims.ts). */
  readonly claims?: DemoClaims;
}

export async function buildReport(p: {
  readonly client: PublicClient;
  readonly addresses: ProtocolAddresses;
  readonly deployBlock: bigint;
  readonly jobs: readonly SentJob[];
  readonly watcherLog: readonly LogLine[];
  readonly cheaterLog: readonly LogLine[];
  readonly options: DemoOptions;
  readonly elapsedSec: number;
}): Promise<DemoReport> {
  const sampled = new Set(p.watcherLog.filter((l) => l.msg === "job sampled").map((l) => String(l["jobId"])));
  const faults = new Map(
    p.cheaterLog
      .filter((l) => l.msg === "job run")
      .map((l) => [String(l["jobId"]), typeof l["fault"] === "string" ? l["fault"] : null]),
  );
  const rows: DemoJobRow[] = [];
  const problems: string[] = [];
  for (const job of p.jobs) {
    const r = await replayJob({ client: p.client, addresses: p.addresses, jobId: job.jobId, fromBlock: p.deployBlock });
    const id = job.jobId.toString();
    const bad = r.verdict === "fraudulent";
    const challenged = r.steps.some((s) => s.event === "ChallengeRevealed");
    const row: DemoJobRow = {
      jobId: id,
      image: job.image,
      label: job.label,
      provider: job.route,
      fault: faults.get(id) ?? null,
      committed: r.committed !== undefined ? Number(r.committed.output[0]) : null,
      status: r.status,
      bad,
      sampled: sampled.has(id),
      challenged,
      replayAgrees: r.agrees,
      honest: r.honest !== undefined ? Number(r.honest.output[0]) : null,
    };
    rows.push(row);
    if (r.status !== "Finalized" && r.status !== "Slashed")
      problems.push(`job ${id} did not resolve (${r.status}${r.frozen ? ", disputed" : ""})`);
    if (bad && row.sampled && r.status !== "Slashed")
      problems.push(`bad job ${id} was sampled but not slashed (${r.status})`);
    if (!bad && r.verdict === "honest" && challenged) problems.push(`honest job ${id} was challenged`);
    if (!bad && r.status === "Slashed") problems.push(`honest job ${id} was slashed`);
    if (r.ruleViolations > 0) problems.push(`job ${id}: ${r.ruleViolations} move(s) fail the replay's rule checks`);
  }
  const settled = await getDisputeSettledLogs(p.client, { address: p.addresses.disputeGame, fromBlock: p.deployBlock });
  const ours = new Set(p.jobs.map((j) => j.jobId));
  const bounties = settled
    .filter((l) => l.args.fraud && ours.has(l.args.jobId))
    .reduce((s, l) => s + l.args.bounty, 0n);
  const finalizedRows = rows.filter((r) => r.status === "Finalized");
  const correct = finalizedRows.filter((r) => r.committed === r.label).length;
  const decided = rows.filter((r) => r.replayAgrees !== null);
  const o = p.options;
  return {
    jobs: rows.length,
    finalized: finalizedRows.length,
    slashed: rows.filter((r) => r.status === "Slashed").length,
    expired: rows.filter((r) => r.status === "Expired").length,
    badJobs: rows.filter((r) => r.bad).length,
    badJobsSampled: rows.filter((r) => r.bad && r.sampled).length,
    badJobsSlashed: rows.filter((r) => r.bad && r.status === "Slashed").length,
    badJobsFinalized: rows.filter((r) => r.bad && r.status === "Finalized").length,
    honestJobs: rows.filter((r) => !r.bad).length,
    honestJobsChallenged: rows.filter((r) => !r.bad && r.challenged).length,
    bountiesPaid: Number(formatUnits(bounties, 18)),
    bountiesPaidBaseUnits: bounties.toString(),
    accuracy: finalizedRows.length > 0 ? correct / finalizedRows.length : null,
    modelAccuracy: rows.length > 0 ? rows.filter((r) => r.honest === r.label).length / rows.length : null,
    replayAgreement: `${decided.filter((r) => r.replayAgrees === true).length}/${decided.length}`,
    storyHeld: problems.length === 0,
    problems,
    elapsedSec: Math.round(p.elapsedSec),
    options: {
      jobs: o.jobs,
      cheatRate: o.cheatRate,
      samplingRate: o.samplingRate,
      faults: o.faults,
      seed: o.seed,
      challengeWindow: o.challengeWindow,
      responseWindow: o.responseWindow,
    },
    rows,
  };
}

/** The readable end of the demo: one row per job, then the totals and the verdict on the story. */
export function renderReport(r: DemoReport): string {
  const name = (c: number | null) => (c === null ? "—" : `${c} ${CLASS_NAMES[c] ?? "(not a class)"}`);
  const header = [
    "job",
    "image",
    "true class",
    "provider",
    "fault",
    "committed",
    "sampled",
    "challenged",
    "outcome",
    "replay",
  ];
  const body = r.rows.map((x) => [
    x.jobId,
    String(x.image),
    name(x.label),
    x.provider,
    x.fault ?? "",
    `${name(x.committed)}${x.bad ? " (bad)" : ""}`,
    x.sampled ? "yes" : "no",
    x.challenged ? "yes" : "no",
    x.status,
    x.replayAgrees === null ? "—" : x.replayAgrees ? "agrees" : "DISAGREES",
  ]);
  // A row shorter than the header prints nothing in the missing columns.
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => (row[c] ?? "").length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join("  ")
      .trimEnd();
  const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);
  const lines = [
    fmt(header),
    fmt(widths.map((w) => "-".repeat(w))),
    ...body.map(fmt),
    "",
    `jobs                    ${r.jobs} (${r.finalized} finalized, ${r.slashed} slashed${r.expired ? `, ${r.expired} expired` : ""})`,
    `bad results             ${r.badJobs} (sampled ${r.badJobsSampled}, slashed ${r.badJobsSlashed}, finalized ${r.badJobsFinalized})`,
    `honest results          ${r.honestJobs} (challenged ${r.honestJobsChallenged})`,
    `bounties paid           ${r.bountiesPaid} tokens`,
    `accuracy of finalized   ${pct(r.accuracy)} against the Fashion-MNIST labels (the model itself: ${pct(r.modelAccuracy)} on these images, 88.7 % on the 1,000-image eval set)`,
    `auditor replay agrees   ${r.replayAgreement} decided jobs${r.badJobsFinalized > 0 ? " (it disagrees where a wrong result became final unsampled)" : ""}`,
    `time                    ${r.elapsedSec} s`,
    "",
    r.storyHeld
      ? "STORY HELD: every sampled bad result was slashed, no honest result was challenged."
      : `STORY FAILED:\n${r.problems.map((p) => `  - ${p}`).join("\n")}`,
    "",
  ];
  return lines.join("\n");
}
