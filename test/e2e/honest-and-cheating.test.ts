/**
 * Scenario 1: an honest provider, a cheating provider (every fault kind, in turn)
 * and a watcher sampling every job, all real processes against anvil (1 s blocks,
 * challenge window 45 s, response window 25 s: short, with room for a loaded 2-core machine).
 * The cheater's junk-trace job commits the right output over a junk trace: no fraud, since
 * only the output is committed; the watcher leaves it alone and it finalizes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { INTEGER_FAULT_KINDS } from "../../src/dispute/faults.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import { tokenAbi } from "../../src/chain/abis.ts";
import { traceModel } from "../../src/trace/trace.ts";
import {
  Daemon,
  E2E_PARAMS,
  imageInput,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  setupChain,
  until,
  watcherArgs,
  type Chain,
  jobOf,
} from "./harness.ts";

describe("e2e: honest provider, cheating provider, watcher at 100 %", { timeout: 240_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });

  const honestJobs: bigint[] = [];
  /** The cheater's jobs, one per fault kind. */
  const badJobs: bigint[] = [];
  /** Those whose output is wrong: all but the junk-trace one. */
  let fraudJobs: bigint[] = [];
  let watcher: Daemon;
  let balanceBefore = 0n;

  before(async () => {
    chain = await setupChain({ params: { ...E2E_PARAMS, challengeWindow: 45n, responseWindow: 25n } });
    balanceBefore = await chain.public.readContract({
      address: chain.addresses.token,
      abi: tokenAbi,
      functionName: "balanceOf",
      args: [chain.address(ROLE.watcher)],
    });
    const honest = new Daemon(
      providerArgs(chain, ROLE.honest, ["--requester", chain.address(ROLE.requesterA)]),
      keyEnv(ROLE.honest),
      "honest",
    );
    const cheater = new Daemon(
      providerArgs(chain, ROLE.cheater, [
        "--requester",
        chain.address(ROLE.requesterB),
        "--fault",
        INTEGER_FAULT_KINDS.join(","),
        "--fault-rate",
        "1",
        "--fault-seed",
        "7",
      ]),
      keyEnv(ROLE.cheater),
      "cheater",
    );
    watcher = new Daemon(watcherArgs(chain, ["--concurrency", "2"]), keyEnv(ROLE.watcher), "watcher");
    daemons.push(honest, cheater, watcher);
    await Promise.all(daemons.map((d) => d.started()));
    for (let i = 0; i < 3; i++) honestJobs.push(await request(chain, ROLE.requesterA, imageInput(chain.compiled, i)));
    for (let i = 0; i < INTEGER_FAULT_KINDS.length; i++)
      badJobs.push(await request(chain, ROLE.requesterB, imageInput(chain.compiled, 10 + i)));
  });

  it("commits every job, wrong ones exactly for the cheater's, in batches", async () => {
    const all = [...honestJobs, ...badJobs];
    await until(
      async () => (await Promise.all(all.map((id) => jobOf(chain, id)))).every((j) => j.status !== JobStatus.Requested),
      60_000,
      "every job committed",
      () => daemons.map((d) => d.tail(10)).join("\n"),
    );
    for (const id of honestJobs) {
      const j = await jobOf(chain, id);
      const honest = await traceModel(chain.compiled, imageInput(chain.compiled, honestJobs.indexOf(id)));
      assert.equal(j.outputRoot, honest.outputRoot, `honest job ${id}`);
    }
    const junk = daemons[1]?.find((l) => l.msg === "job run" && l["fault"] === "junk-trace");
    assert.ok(junk, "the cheater ran a junk-trace job");
    fraudJobs = badJobs.filter((id) => String(id) !== String(junk["jobId"]));
    assert.equal(fraudJobs.length, badJobs.length - 1);
    for (const id of badJobs) {
      const j = await jobOf(chain, id);
      const honest = await traceModel(chain.compiled, imageInput(chain.compiled, 10 + badJobs.indexOf(id)));
      if (fraudJobs.includes(id)) assert.notEqual(j.outputRoot, honest.outputRoot, `job ${id} should be wrong`);
      else assert.equal(j.outputRoot, honest.outputRoot, `junk-trace job ${id}: the right output`);
    }
    assert.ok(
      daemons[1]?.find((l) => l.msg === "committing batch"),
      "the cheater committed at least one batch",
    );
  });

  it("slashes every wrong job before its deadline and finalizes every right one, challenging none", async () => {
    const all = [...honestJobs, ...badJobs];
    await until(
      async () => (await Promise.all(all.map((id) => jobOf(chain, id)))).every((j) => j.status >= JobStatus.Finalized),
      150_000,
      "every job resolved",
      () => daemons.map((d) => d.tail(15)).join("\n"),
    );
    const right = [...honestJobs, ...badJobs.filter((id) => !fraudJobs.includes(id))];
    for (const id of right) assert.equal((await jobOf(chain, id)).status, JobStatus.Finalized, `right job ${id}`);
    for (const id of fraudJobs) assert.equal((await jobOf(chain, id)).status, JobStatus.Slashed, `wrong job ${id}`);
    const revealed = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeRevealed",
      fromBlock: 0n,
    });
    const challenged = new Set(revealed.map((l) => l.args.jobId));
    for (const id of right) assert.ok(!challenged.has(id), `right job ${id} was challenged`);
    // One challenge per wrong job: no duplicates.
    assert.equal(revealed.length, fraudJobs.length);
    const committedByWatcher = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeCommitted",
      args: { challenger: chain.address(ROLE.watcher) },
      fromBlock: 0n,
    });
    assert.equal(committedByWatcher.length, fraudJobs.length, "one commit per wrong job");
  });

  it("the watcher's bounty balance matches the events", async () => {
    const settled = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "DisputeSettled",
      fromBlock: 0n,
    });
    const bounties = settled.filter((l) => l.args.fraud).reduce((s, l) => s + (l.args.bounty ?? 0n), 0n);
    const lost = (
      await chain.public.getContractEvents({
        address: chain.addresses.disputeGame,
        abi: disputeGameAbi,
        eventName: "ChallengeResolved",
        fromBlock: 0n,
      })
    ).filter((l) => l.args.outcome === 2);
    assert.equal(lost.length, 0, "no challenge lost");
    const balance = await chain.public.readContract({
      address: chain.addresses.token,
      abi: tokenAbi,
      functionName: "balanceOf",
      args: [chain.address(ROLE.watcher)],
    });
    assert.equal(balance - balanceBefore, bounties);
    assert.equal(bounties, BigInt(fraudJobs.length) * 50n * 10n ** 18n);
    await watcher.waitFor(
      (l) => l.msg === "bounty received" && fraudJobs.map(String).includes(String(l["jobId"])),
      30_000,
    );
    await until(
      async () => watcher.lines.filter((l) => l.msg === "bounty received").length === fraudJobs.length,
      30_000,
      "the watcher logged every bounty",
    );
    const logged = watcher.lines
      .filter((l) => l.msg === "bounty received")
      .reduce((s, l) => s + BigInt(String(l["bounty"])), 0n);
    assert.equal(logged, bounties);
  });
});
