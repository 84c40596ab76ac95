/**
 * `refute replay` names every dispute outcome: for each IDisputeGame.Reason, the
 * rendered report — the text story and `--json` — names it. Reasons a scenario of
 * scenario.ts can reach on the shipped model are played on anvil and replayed through
 * the CLI; the others (None, which no resolution carries, NonCanonical, which needs
 * a node too large for a whole reveal, Unrevealed / Unrevealable, which end a
 * commitment that never joined the job's dispute: forfeited or reclaimed, and WithinBound,
 * which ends a float32 challenge, played in test/dispute/float.test.ts) go through the
 * replay's own event-to-summary mapping and the renderer with a constructed report.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Address, Hex } from "viem";
import { Outcome, OUTCOME_NAMES, Reason, REASON_NAMES, type ReasonName } from "../../src/chain/enums.ts";
import { toJson } from "../../src/cli/format.ts";
import { main } from "../../src/cli/main.ts";
import { forgeCommitment, honestCommitment, type Commitment } from "../../src/dispute/faults.ts";
import { resolutionNames, resolvedChallenge, type ReplayReport } from "../../src/replay/replay.ts";
import { renderReplay } from "../../src/replay/render.ts";
import type { Trace } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";
import {
  advance,
  challenge,
  challengerProves,
  challengerSelects,
  commit,
  mootChallenge,
  openTable,
  playFraudToTheEnd,
  providerPostsRoots,
  providerRevealsWhole,
  requestImage,
  RESPONSE,
  timeout,
  type Table,
} from "./scenario.ts";

/** How each reason a scenario reaches ends its challenge. */
const PLAYED: Partial<Record<ReasonName, "Won" | "Lost" | "Moot">> = {
  FraudProven: "Won",
  ProviderTimeout: "Won",
  ChallengerTimeout: "Lost",
  ElementMatches: "Lost",
  Superseded: "Moot",
};

/** The challenges section's line of a resolved challenge with this reason. */
const challengeLine = (reason: string): RegExp =>
  new RegExp(
    `^ {2}#\\d+ by 0x[0-9a-fA-F]{40}: (None|Won|Lost|Moot|Forfeited|Reclaimed) \\(${reason}\\); should be`,
    "m",
  );
/** The steps' line of its ChallengeResolved event. */
const resolvedStep = (reason: string): RegExp => new RegExp(`challenge #\\d+ resolved: \\w+ \\(${reason}\\)`);

interface JsonChallenge {
  readonly outcome?: string;
  readonly reason?: string;
}

test("every Reason is either played below or constructed (None, NonCanonical, Unrevealed, Unrevealable, WithinBound)", () => {
  assert.deepEqual(
    REASON_NAMES.filter((r) => PLAYED[r] === undefined),
    ["None", "NonCanonical", "Unrevealed", "Unrevealable", "WithinBound"],
  );
});

/** The outcome a constructed resolution with `reason` carries. */
function outcomeFor(reason: number): Outcome {
  if (reason === Reason.None) return Outcome.None;
  if (reason === Reason.Unrevealed) return Outcome.Forfeited;
  if (reason === Reason.Unrevealable) return Outcome.Reclaimed;
  if (reason === Reason.WithinBound) return Outcome.Lost;
  return Outcome.Won;
}

test("the replay maps every Reason value of a ChallengeResolved event to its name", () => {
  for (const [value, name] of REASON_NAMES.entries()) {
    assert.equal(resolutionNames(Outcome.Won, value).reason, name);
    assert.equal(resolvedChallenge(1n, `0x${"1".repeat(40)}`, Outcome.Won, value, "Won").reason, name);
  }
  assert.equal(resolutionNames(Outcome.Won, Reason.NonCanonical).reason, "NonCanonical");
});

describe("reasons no scenario reaches: the renderer names them", () => {
  const challenger: Address = `0x${"c".repeat(40)}`;
  const tx: Hex = `0x${"ab".repeat(32)}`;

  /** The report of a slashed job whose one challenge resolved with `reason`, as the replay builds it. */
  function reportOf(reason: number): ReplayReport {
    const outcome = outcomeFor(reason);
    const names = resolutionNames(outcome, reason);
    return {
      jobId: "7",
      status: "Slashed",
      frozen: false,
      steps: [
        {
          index: 0,
          event: "ChallengeResolved",
          block: 100,
          timestamp: 1_700_000_000,
          tx,
          challengeId: "1",
          actor: "anyone",
          text: `challenge #1 resolved: ${names.outcome} (${names.reason})`,
          checks: [],
        },
      ],
      challenges: [resolvedChallenge(1n, challenger, outcome, reason, "Won")],
      verdict: "fraudulent",
      verdictReason: "constructed",
      chainVerdict: "fraudulent",
      agrees: true,
      ruleViolations: 0,
      summary: "constructed",
    };
  }

  for (const name of REASON_NAMES.filter((r) => PLAYED[r] === undefined)) {
    test(`Reason.${name}: the text and --json name it`, () => {
      const report = reportOf(Reason[name]);
      const text = renderReplay(report);
      assert.match(text, challengeLine(name));
      assert.match(text, resolvedStep(name));
      const json = JSON.parse(toJson(report)) as { challenges: JsonChallenge[] };
      assert.equal(json.challenges[0]?.reason, name);
      assert.equal(json.challenges[0]?.outcome, OUTCOME_NAMES[outcomeFor(Reason[name])]);
    });
  }
});

interface Played {
  readonly jobId: bigint;
  readonly trace: Trace;
  readonly c: Commitment;
  readonly hash: Hex;
}

describe("reasons a scenario reaches: `refute replay` names them", () => {
  let t: Table;
  /** The job whose replay shows a challenge resolved with each played reason. */
  const jobs = new Map<ReasonName, bigint>();
  const outputs = new Map<string, Promise<string>>();

  /** `refute replay <jobId>` (text, or --json), run once per job and format. */
  const cli = (jobId: bigint, json: boolean): Promise<string> => {
    const key = `${jobId}:${json}`;
    let out = outputs.get(key);
    if (out === undefined) {
      out = (async () => {
        let stdout = "";
        let stderr = "";
        const args = ["replay", String(jobId), "--rpc", t.anvil.rpcUrl, "--deployment", t.deploymentFile];
        await main(["node", "refute", ...args, ...(json ? ["--json"] : [])], {
          stdout: (s) => (stdout += s),
          stderr: (s) => (stderr += s),
        });
        assert.equal(stderr, "");
        return stdout;
      })();
      outputs.set(key, out);
    }
    return out;
  };

  before(async () => {
    t = await openTable();
    const job = async (image: number, forge?: Parameters<typeof forgeCommitment>[0], seed = 1): Promise<Played> => {
      const { jobId, trace } = await requestImage(t, image);
      const c =
        forge === undefined ? honestCommitment(trace) : forgeCommitment(forge, t.compiled, trace, new Rng(seed));
      return { jobId, trace, c, hash: await commit(t, jobId, c) };
    };

    // FraudProven: the whole game of a wrong result.
    const fraud = await job(3, "flipped-element", 7);
    await playFraudToTheEnd(t, fraud.jobId, fraud.c, fraud.trace);
    jobs.set("FraudProven", fraud.jobId);

    // ElementMatches: an honest result challenged, the challenger proves an element that is right.
    const matches = await job(2);
    const matchesId = await challenge(t, matches.jobId, matches.hash);
    await providerPostsRoots(t, matches.jobId, matches.c);
    await challengerSelects(t, matchesId, matches.c, matches.trace, 1);
    const words = await providerRevealsWhole(t, matchesId, matches.c, 1);
    await challengerProves(t, matchesId, matches.c, matches.trace, 1, words, 0);
    jobs.set("ElementMatches", matches.jobId);

    // Superseded: two challenges of a wrong result; the older proves the fraud, and anyone
    // resolves the younger moot (it no longer ends with the winner's move: §9.4).
    const twice = await job(3, "flipped-element", 7);
    const older = await challenge(t, twice.jobId, twice.hash);
    const younger = await challenge(t, twice.jobId, twice.hash);
    await providerPostsRoots(t, twice.jobId, twice.c);
    const node = await challengerSelects(t, older, twice.c, twice.trace);
    const revealed = await providerRevealsWhole(t, older, twice.c, node);
    await challengerProves(t, older, twice.c, twice.trace, node, revealed);
    await mootChallenge(t, younger);
    jobs.set("Superseded", twice.jobId);

    // The timeouts share one response window: a provider that never posts its roots, and a
    // challenger that never names a node.
    const silent = await job(4, "silent");
    const silentId = await challenge(t, silent.jobId, silent.hash);
    const stalled = await job(5);
    const stalledId = await challenge(t, stalled.jobId, stalled.hash);
    await providerPostsRoots(t, stalled.jobId, stalled.c);
    await advance(t, RESPONSE + 1n);
    await timeout(t, silentId);
    await timeout(t, stalledId);
    jobs.set("ProviderTimeout", silent.jobId);
    jobs.set("ChallengerTimeout", stalled.jobId);
  });

  after(async () => {
    await t?.stop();
  });

  for (const name of REASON_NAMES.filter((r) => PLAYED[r] !== undefined)) {
    test(`Reason.${name}: the text and --json name it`, async () => {
      const jobId = jobs.get(name);
      assert.ok(jobId !== undefined, `no scenario played ${name}`);
      const text = await cli(jobId, false);
      assert.match(text, challengeLine(name));
      assert.match(text, resolvedStep(name));
      const json = JSON.parse(await cli(jobId, true)) as { challenges: JsonChallenge[] };
      const c = json.challenges.find((x) => x.reason === name);
      assert.ok(c !== undefined, `--json challenges: ${JSON.stringify(json.challenges)}`);
      assert.equal(c.outcome, PLAYED[name]);
    });
  }
});
