/**
 * Scenario: float32 jobs on the shipped CNN (models/fmnist-cnn.onnx), with real `refute provide`
 * and `refute watch` processes against anvil (docs/PROTOCOL.md §11, docs/DAEMONS.md
 * "Float32 jobs").
 *
 * - An honest provider's jobs are each checked on the trace it serves (sampling rate 1),
 *   found admissible, never challenged, finalized, and their fees paid. The honest provider
 *   runs onnxruntime with two intra-op threads (`--threads 2`), the cheater with one: their
 *   float sums may be split and ordered differently. The watcher's float check runs no
 *   onnxruntime session at all: it judges each node from the provider's own inputs of it.
 * - A provider that moves one element of the first Conv (node 0) by 2·B (`float-bias`) is
 *   caught at that element: the watcher challenges, disputes node 0, proves it with the
 *   float one-step verifier (FraudProven), the job is slashed and the bounty paid.
 * - The same fault again, with the watcher killed right after it selects the node
 *   (REFUTE_CRASH_AT=disputing) and restarted on its database: the stored served trace and
 *   its target survive, and it still wins.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { disputeGameAbi, jobManagerAbi, tokenAbi } from "../../src/chain/abis.ts";
import { JobStatus, Outcome, Reason } from "../../src/chain/enums.ts";
import { Verdict } from "../../src/float/verdict.ts";
import {
  Daemon,
  E2E_PARAMS,
  floatImageInput,
  jobOf,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  ROOT,
  setupChain,
  TOKEN,
  until,
  untilStatus,
  watcherArgs,
  type Chain,
  type LogLine,
} from "./harness.ts";

const CNN = join(ROOT, "models", "fmnist-cnn.onnx");
const HONEST_JOBS = 3;
const FEE = 1n * TOKEN;
/** The first Conv: a rounding node, three bisection rounds deep in the CNN's node list. */
const FAULT_NODE = 0;

describe("e2e: float32 jobs on the CNN, honest and biased", { timeout: 300_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  let honest: Daemon;
  let cheater: Daemon;
  let watcher: Daemon;
  let traceServers: string[] = [];
  const honestJobs: bigint[] = [];
  let biasedJob = 0n;
  let honestBalanceBefore = 0n;
  let watcherBalanceBefore = 0n;

  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });

  const balanceOf = (role: number) =>
    chain.public.readContract({
      address: chain.addresses.token,
      abi: tokenAbi,
      functionName: "balanceOf",
      args: [chain.address(role)],
    });

  /** The trace server URL a provider logged at start. */
  const traceServerOf = async (d: Daemon): Promise<string> => {
    const line = await d.waitFor((l) => l.msg === "trace server listening", 60_000, "trace server");
    return `http://127.0.0.1:${String(line["port"])}`;
  };

  const startWatcher = (name: string, env: Record<string, string> = {}): Daemon => {
    const w = new Daemon(
      watcherArgs(chain, ["--executor-threads", "2", ...traceServers.flatMap((s) => ["--trace-server", s])]),
      { ...keyEnv(ROLE.watcher), ...env },
      name,
    );
    daemons.push(w);
    return w;
  };

  before(async () => {
    chain = await setupChain({ model: CNN, params: { ...E2E_PARAMS, challengeWindow: 45n, responseWindow: 25n } });
    honestBalanceBefore = await balanceOf(ROLE.honest);
    watcherBalanceBefore = await balanceOf(ROLE.watcher);
    honest = new Daemon(
      providerArgs(chain, ROLE.honest, ["--requester", chain.address(ROLE.requesterA), "--threads", "2"]),
      keyEnv(ROLE.honest),
      "honest",
    );
    cheater = new Daemon(
      providerArgs(chain, ROLE.cheater, [
        "--requester",
        chain.address(ROLE.requesterB),
        "--fault",
        "float-bias",
        "--fault-rate",
        "1",
        "--fault-float-node",
        String(FAULT_NODE),
        "--fault-float-scale",
        "2",
      ]),
      keyEnv(ROLE.cheater),
      "cheater",
    );
    daemons.push(honest, cheater);
    traceServers = [
      `${chain.address(ROLE.honest)}=${await traceServerOf(honest)}`,
      `${chain.address(ROLE.cheater)}=${await traceServerOf(cheater)}`,
    ];
    watcher = startWatcher("watcher");
    await watcher.started();
    for (let i = 0; i < HONEST_JOBS; i++)
      honestJobs.push(await request(chain, ROLE.requesterA, floatImageInput(chain.compiled, i), FEE));
    biasedJob = await request(chain, ROLE.requesterB, floatImageInput(chain.compiled, 10), FEE);
  });

  const context = () => [honest, cheater, watcher].map((d) => d.tail(12)).join("\n");

  it("checks every honest job on its served trace, challenges none, and they finalize with the fee paid", async () => {
    await Promise.all(honestJobs.map((id) => untilStatus(chain, id, JobStatus.Finalized, 150_000, context)));
    const traced = honest.lines.filter((l) => l.msg === "job run" && l["traced"] === true);
    assert.equal(traced.length, HONEST_JOBS, "each float32 job traced at commit");
    for (const id of honestJobs)
      assert.ok(
        watcher.find((l) => l.msg === "job verified (float trace admissible)" && String(l["jobId"]) === String(id)),
        `job ${id} checked admissible\n${watcher.tail()}`,
      );
    assert.equal(await floatChecked(watcher, "admissible"), HONEST_JOBS);
    assert.equal(await floatChecked(watcher, "violation"), 1, "only the biased job violates");
    const challenged = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeRevealed",
      fromBlock: 0n,
    });
    const jobs = new Set(challenged.map((l) => l.args.jobId));
    for (const id of honestJobs) assert.ok(!jobs.has(id), `honest job ${id} challenged`);
    const finalized = await chain.public.getContractEvents({
      address: chain.addresses.jobManager,
      abi: jobManagerAbi,
      eventName: "JobFinalized",
      args: { provider: chain.address(ROLE.honest) },
      fromBlock: 0n,
    });
    assert.deepEqual(finalized.map((l) => l.args.jobId).sort(), [...honestJobs].sort());
    assert.equal((await balanceOf(ROLE.honest)) - honestBalanceBefore, BigInt(HONEST_JOBS) * FEE, "the fees paid");
  });

  it("finds the biased Conv element, disputes node 0 to a fraud proof, and the provider is slashed", async () => {
    await untilStatus(chain, biasedJob, JobStatus.Slashed, 150_000, context);
    const run = cheater.find((l) => l.msg === "job run" && String(l["jobId"]) === String(biasedJob));
    assert.equal(run?.["fault"], "float-bias");
    assert.equal(run?.["faultNode"], FAULT_NODE);
    const element = run?.["faultElement"];
    assert.equal(typeof element, "number");
    const mismatch = watcher.find(
      (l) => l.msg === "job MISMATCH (float bound violated): challenging" && String(l["jobId"]) === String(biasedJob),
    );
    assert.match(String(mismatch?.["violation"]), new RegExp(`^node ${FAULT_NODE} \\(Conv\\) element ${element}:`));
    // Each move logged once, when sent, though it stays pending over several ticks.
    const logged = (msg: string) =>
      watcher.lines.filter((l) => l.msg === msg && String(l["jobId"]) === String(biasedJob));
    assert.deepEqual(
      logged("disputing node").map((l) => l["node"]),
      [FAULT_NODE],
    );
    assert.equal(logged("one-step proof sent").length, 1);
    assert.ok(
      watcher.find((l) => l.msg === "one-step proof sent" && l["node"] === FAULT_NODE && l["element"] === element),
      `the proof is at the forged element\n${watcher.tail()}`,
    );
    await assertWonOnce(chain, biasedJob, Number(element));
    await watcher.waitFor(
      (l) => l.msg === "bounty received" && String(l["jobId"]) === String(biasedJob),
      30_000,
      "bounty received",
    );
    const bounty = await bountyOf(chain, biasedJob);
    assert.ok(bounty > 0n);
    // The bond comes back with the bounty, both withdrawn by the watcher's claimer.
    await until(
      async () => (await balanceOf(ROLE.watcher)) - watcherBalanceBefore === bounty,
      30_000,
      "the bounty withdrawn to the watcher",
      () => watcher.tail(),
    );
  });

  it("a watcher killed after selecting the node restarts on its stored trace and still wins", async () => {
    await watcher.stop();
    const crashing = startWatcher("watcher@disputing", { REFUTE_CRASH_AT: "disputing" });
    await crashing.started();
    const jobId = await request(chain, ROLE.requesterB, floatImageInput(chain.compiled, 11), FEE);
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      crashing.exited,
      new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), 120_000))),
    ]).finally(() => clearTimeout(timer));
    assert.notEqual(exit, "timeout", `the watcher never reached disputing\n${crashing.tail()}`);
    assert.equal(typeof exit === "object" && exit.signal, "SIGKILL", `${JSON.stringify(exit)}\n${crashing.tail()}`);
    assert.ok(
      crashing.find(
        (l) => l.msg === "disputing node" && l["node"] === FAULT_NODE && String(l["jobId"]) === String(jobId),
      ),
    );
    assert.equal((await jobOf(chain, jobId)).status, JobStatus.Committed, "still in dispute");
    const restarted = startWatcher("watcher@restart");
    await untilStatus(chain, jobId, JobStatus.Slashed, 150_000, () =>
      [cheater, restarted].map((d) => d.tail(15)).join("\n"),
    );
    const forged = cheater.find((l) => l.msg === "job run" && String(l["jobId"]) === String(jobId))?.["faultElement"];
    assert.ok(
      restarted.find((l) => l.msg === "one-step proof sent" && l["node"] === FAULT_NODE && l["element"] === forged),
      `the restarted watcher proved the forged element\n${restarted.tail()}`,
    );
    await assertWonOnce(chain, jobId, Number(forged));
    await restarted.waitFor((l) => l.msg === "bounty received" && String(l["jobId"]) === String(jobId), 30_000);
  });
});

/** The watcher's `jobs_float_checked{result=…}` counter, read from its metrics endpoint. */
async function floatChecked(watcher: Daemon, result: "admissible" | "violation"): Promise<number> {
  const line: LogLine = await watcher.waitFor((l) => l.msg === "metrics listening", 5_000, "metrics");
  const text = await (await fetch(String(line["url"]))).text();
  const m = new RegExp(`^refute_watcher_jobs_float_checked\\{result="${result}"\\} (\\d+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * One challenge of the job, by the watcher: node FAULT_NODE selected once, one float
 * one-step check at `element` that VIOLATES, and the challenge won by a fraud proof.
 */
async function assertWonOnce(chain: Chain, jobId: bigint, element: number): Promise<void> {
  const commits = await chain.public.getContractEvents({
    address: chain.addresses.disputeGame,
    abi: disputeGameAbi,
    eventName: "ChallengeRevealed",
    args: { jobId },
    fromBlock: 0n,
  });
  assert.equal(commits.length, 1, "one challenge revealed");
  assert.equal(commits[0]?.args.challenger?.toLowerCase(), chain.address(ROLE.watcher).toLowerCase());
  await until(
    async () =>
      (
        await chain.public.getContractEvents({
          address: chain.addresses.disputeGame,
          abi: disputeGameAbi,
          eventName: "ChallengeResolved",
          args: { id: commits[0]?.args.id },
          fromBlock: 0n,
        })
      ).length > 0,
    10_000,
    "challenge resolved",
  );
  const resolved = await chain.public.getContractEvents({
    address: chain.addresses.disputeGame,
    abi: disputeGameAbi,
    eventName: "ChallengeResolved",
    args: { id: commits[0]?.args.id },
    fromBlock: 0n,
  });
  assert.deepEqual(
    resolved.map((l) => [l.args.outcome, l.args.reason]),
    [[Outcome.Won, Reason.FraudProven]],
    "won by a fraud proof",
  );
  const selected = await chain.public.getContractEvents({
    address: chain.addresses.disputeGame,
    abi: disputeGameAbi,
    eventName: "NodeSelected",
    args: { id: commits[0]?.args.id },
    fromBlock: 0n,
  });
  assert.deepEqual(
    selected.map((l) => l.args.node),
    [FAULT_NODE],
    "the node selected once",
  );
  const steps = await chain.public.getContractEvents({
    address: chain.addresses.disputeGame,
    abi: disputeGameAbi,
    eventName: "FloatStepChecked",
    args: { id: commits[0]?.args.id },
    fromBlock: 0n,
  });
  assert.deepEqual(
    steps.map((l) => [l.args.outIndex, l.args.verdict]),
    [[BigInt(element), Verdict.VIOLATES]],
    "one float step, at the forged element, outside its bound",
  );
  const slashed = await chain.public.getContractEvents({
    address: chain.addresses.jobManager,
    abi: jobManagerAbi,
    eventName: "JobSlashed",
    args: { jobId },
    fromBlock: 0n,
  });
  assert.equal(slashed.length, 1, "JobSlashed");
  assert.equal(slashed[0]?.args.provider?.toLowerCase(), chain.address(ROLE.cheater).toLowerCase());
}

/** The bounty the job's fraud settlement paid its challenger. */
async function bountyOf(chain: Chain, jobId: bigint): Promise<bigint> {
  const settled = await chain.public.getContractEvents({
    address: chain.addresses.disputeGame,
    abi: disputeGameAbi,
    eventName: "DisputeSettled",
    args: { jobId },
    fromBlock: 0n,
  });
  assert.equal(settled.length, 1, "DisputeSettled");
  assert.equal(settled[0]?.args.fraud, true);
  return settled[0]?.args.bounty ?? 0n;
}
