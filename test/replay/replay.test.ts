import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import type { Hex } from "viem";
import { readJob } from "../../src/chain/read/jobs.ts";
import { main } from "../../src/cli/main.ts";
import { forgeCommitment, honestCommitment, type Commitment } from "../../src/dispute/faults.ts";
import { replayJob, type ReplayReport } from "../../src/replay/replay.ts";
import { renderReplay } from "../../src/replay/render.ts";
import type { Trace } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";
import {
  advance,
  challenge,
  challengerSelects,
  commit,
  finalize,
  openTable,
  playFraudToTheEnd,
  providerPostsRoots,
  providerRevealsWhole,
  requestImage,
  RESPONSE,
  timeout,
  WINDOW,
  type Table,
} from "./scenario.ts";

interface Played {
  readonly jobId: bigint;
  readonly trace: Trace;
  readonly c: Commitment;
}

describe("refute replay", () => {
  let t: Table;
  let finalized: Played;
  let slashed: Played;
  let unchallengedFraud: Played;
  let silent: Played;
  let honestDisputed: Played;
  let fraudDisputed: Played;

  const replay = (jobId: bigint): Promise<ReplayReport> =>
    replayJob({ client: t.requester.public, addresses: t.addresses, jobId, fromBlock: t.deployBlock });

  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = "";
    let err = "";
    const code = await main(["node", "refute", ...args], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    return { code, out, err };
  };

  before(async () => {
    t = await openTable();
    const job = async (image: number, forge?: Parameters<typeof forgeCommitment>[0], seed = 1): Promise<Played> => {
      const { jobId, trace } = await requestImage(t, image);
      const c =
        forge === undefined ? honestCommitment(trace) : forgeCommitment(forge, t.compiled, trace, new Rng(seed));
      await commit(t, jobId, c);
      return { jobId, trace, c };
    };
    // Jobs whose windows must run out come first: time only moves forward.
    finalized = await job(0);
    unchallengedFraud = await job(1, "wrong-output");
    await advance(t, WINDOW + 1n);
    await finalize(t, finalized.jobId);
    await finalize(t, unchallengedFraud.jobId);

    silent = await job(2, "silent");
    const silentChallenge = await challenge(t, silent.jobId, await commitmentOf(silent.jobId));
    await advance(t, RESPONSE + 1n);
    await timeout(t, silentChallenge);

    slashed = await job(3, "flipped-element", 7);
    await playFraudToTheEnd(t, slashed.jobId, slashed.c, slashed.trace);

    // Disputes left open: an honest result wrongly challenged, awaiting the challenger's proof…
    honestDisputed = await job(4);
    const hc = honestDisputed.c;
    const id = await challenge(t, honestDisputed.jobId, await commitmentOf(honestDisputed.jobId));
    await providerPostsRoots(t, honestDisputed.jobId, hc);
    await challengerSelects(t, id, hc, honestDisputed.trace, 1);
    await providerRevealsWhole(t, id, hc, 1);
    // …and a wrong result, awaiting the challenger's node selection.
    fraudDisputed = await job(5, "wrong-output", 3);
    await challenge(t, fraudDisputed.jobId, await commitmentOf(fraudDisputed.jobId));
    await providerPostsRoots(t, fraudDisputed.jobId, fraudDisputed.c);
  });

  async function commitmentOf(jobId: bigint): Promise<Hex> {
    return (await readJob(t.provider.public, { address: t.addresses.jobManager, jobId })).commitmentHash;
  }

  after(async () => {
    await t?.stop();
  });

  test("a finalized honest job: verdict honest, the chain agrees", async () => {
    const r = await replay(finalized.jobId);
    assert.equal(r.status, "Finalized");
    assert.equal(r.verdict, "honest");
    assert.equal(r.chainVerdict, "honest");
    assert.equal(r.agrees, true);
    assert.equal(r.ruleViolations, 0);
    assert.deepEqual(
      r.steps.map((s) => s.event),
      ["JobRequested", "JobCommitted", "JobFinalized"],
    );
    assert.deepEqual(r.committed?.output, r.honest?.output);
    assert.ok(r.steps.every((s) => s.checks.every((c) => c.ok)));
  });

  test("a slashed job: every dispute move re-checked, verdict fraudulent, the chain agrees", async () => {
    const r = await replay(slashed.jobId);
    assert.equal(r.status, "Slashed");
    assert.equal(r.verdict, "fraudulent");
    assert.equal(r.chainVerdict, "fraudulent");
    assert.equal(r.agrees, true);
    assert.equal(r.ruleViolations, 0);
    const kinds = r.steps.map((s) => s.event);
    for (const k of [
      "ChallengeCommitted",
      "ChallengeRevealed",
      "JobDisputed",
      "RootsPosted",
      "NodeSelected",
      "WholeRevealed",
      "StepChecked",
      "ChallengeResolved",
      "DisputeSettled",
      "JobSlashed",
    ] as const) {
      assert.ok(kinds.includes(k), `missing ${k} in ${kinds.join(", ")}`);
    }
    const step = r.steps.find((s) => s.event === "StepChecked");
    assert.ok(
      step?.checks.some((c) => c.kind === "rule" && c.ok && c.detail.startsWith("the reference evaluator recomputes")),
    );
    assert.ok(step?.checks.some((c) => c.kind === "honesty" && c.ok));
    const select = r.steps.find((s) => s.event === "NodeSelected");
    assert.ok(
      select?.checks.some((c) => c.kind === "honesty" && c.ok),
      "the challenger named the first divergent node",
    );
    assert.equal(r.committed?.firstDivergentNode, slashed.c.faultNode);
    assert.equal(r.challenges.length, 1);
    assert.equal(r.challenges[0]?.outcome, "Won");
    assert.equal(r.challenges[0]?.reason, "FraudProven");
    assert.equal(r.challenges[0]?.shouldBe, "Won");
  });

  test("a silent provider slashed by timeout: verdict fraudulent, the chain agrees", async () => {
    const r = await replay(silent.jobId);
    assert.equal(r.verdict, "fraudulent");
    assert.equal(r.chainVerdict, "fraudulent");
    assert.equal(r.agrees, true);
    assert.equal(r.challenges[0]?.reason, "ProviderTimeout");
    assert.ok(!r.steps.some((s) => s.event === "RootsPosted"));
  });

  test("an honest result under a wrong challenge: dispute in progress, the provider should win", async () => {
    const r = await replay(honestDisputed.jobId);
    assert.equal(r.status, "Committed");
    assert.equal(r.frozen, true);
    assert.equal(r.verdict, "honest");
    assert.equal(r.chainVerdict, "in-progress");
    assert.equal(r.agrees, null);
    assert.equal(r.shouldWin, "provider");
    assert.equal(r.ruleViolations, 0);
    assert.equal(r.challenges[0]?.phase, "AwaitProof");
    assert.equal(r.challenges[0]?.next?.mover, "challenger");
    assert.equal(r.challenges[0]?.shouldBe, "Lost");
    const select = r.steps.find((s) => s.event === "NodeSelected");
    assert.ok(
      select?.checks.some((c) => c.kind === "honesty" && !c.ok),
      "selecting an honest node is flagged",
    );
  });

  test("a wrong result under challenge: dispute in progress, the challenger should win", async () => {
    const r = await replay(fraudDisputed.jobId);
    assert.equal(r.verdict, "fraudulent");
    assert.equal(r.chainVerdict, "in-progress");
    assert.equal(r.shouldWin, "challenger");
    assert.equal(r.challenges[0]?.phase, "AwaitNode");
    assert.equal(r.challenges[0]?.next?.mover, "challenger");
    assert.equal(r.committed?.firstDivergentNode, t.compiled.nodes.length - 1);
  });

  test("a wrong result nobody challenged became final: the chain disagrees", async () => {
    const r = await replay(unchallengedFraud.jobId);
    assert.equal(r.verdict, "fraudulent");
    assert.equal(r.chainVerdict, "honest");
    assert.equal(r.agrees, false);
    assert.ok(r.steps.at(-1)?.checks.some((c) => c.kind === "honesty" && !c.ok));
  });

  test("--json prints { jobId, status, steps, verdict, chainVerdict, agrees } and exits 0 when the chain agrees", async () => {
    const { code, out } = await cli([
      "replay",
      String(slashed.jobId),
      "--rpc",
      t.anvil.rpcUrl,
      "--deployment",
      t.deploymentFile,
      "--json",
    ]);
    assert.equal(code, 0);
    const json = JSON.parse(out) as Record<string, unknown>;
    assert.equal(json["jobId"], String(slashed.jobId));
    assert.equal(json["status"], "Slashed");
    assert.equal(json["verdict"], "fraudulent");
    assert.equal(json["chainVerdict"], "fraudulent");
    assert.equal(json["agrees"], true);
    assert.ok(Array.isArray(json["steps"]) && (json["steps"] as unknown[]).length >= 10);
  });

  test("the CLI exits 3 when the chain reached another verdict", async () => {
    const { code, out } = await cli([
      "replay",
      String(unchallengedFraud.jobId),
      "--rpc",
      t.anvil.rpcUrl,
      "--deployment",
      t.deploymentFile,
    ]);
    assert.equal(code, 3);
    assert.match(out, /agrees\s+NO/);
    assert.match(out, /FRAUDULENT result/);
  });

  test("the text story names every step and the verdicts", async () => {
    const text = renderReplay(await replay(slashed.jobId));
    assert.match(text, /one-step check of element \d+/);
    assert.match(text, /verdict\s+fraudulent/);
    assert.match(text, /chain verdict\s+fraudulent/);
    assert.match(text, /agrees\s+yes/);
  });

  test("--trace-url compares the trace the provider serves with the re-execution", async () => {
    const c = unchallengedFraud.c;
    const server = createServer((req, res) => {
      const ok = req.url === `/jobs/${unchallengedFraud.jobId}/trace`;
      res.writeHead(ok ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(ok ? { nodeRoots: c.nodeRoots } : { error: "not found" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const r = await replayJob({
        client: t.requester.public,
        addresses: t.addresses,
        jobId: unchallengedFraud.jobId,
        fromBlock: t.deployBlock,
        traceUrl: `http://127.0.0.1:${port}`,
      });
      assert.equal(r.committed?.firstDivergentNode, t.compiled.nodes.length - 1);
      assert.match(r.verdictReason, /the trace the provider serves first differs from the re-execution at node 9/);
    } finally {
      server.close();
    }
  });

  test("an unknown job has no verdict", async () => {
    const r = await replay(999n);
    assert.equal(r.verdict, "no-result");
    assert.equal(r.agrees, null);
  });
});
