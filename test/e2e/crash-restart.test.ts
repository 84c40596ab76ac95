/**
 * Scenario 2: the watcher is killed with SIGKILL (REFUTE_CRASH_AT) at each stage in
 * turn — after sampling, after re-execution, after the challenge commit, after the
 * reveal, mid-dispute — and restarted on the same database each time. It still wins
 * the dispute, and the chain shows exactly one challenge commit and one bond.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { CRASH_STAGES } from "../../src/service/crash.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import {
  Daemon,
  imageInput,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  setupChain,
  TOKEN,
  watcherArgs,
  type Chain,
  untilStatus,
} from "./harness.ts";

describe("e2e: watcher killed at every stage", { timeout: 300_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  let jobId = 0n;
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });

  before(async () => {
    // Longer windows: each restart costs a process start.
    chain = await setupChain({
      params: {
        challengeWindow: 150n,
        responseWindow: 60n,
        collateralPerJob: 100n * TOKEN,
        challengerBond: 10n * TOKEN,
      },
    });
    const cheater = new Daemon(
      providerArgs(chain, ROLE.cheater, ["--requester", chain.address(ROLE.requesterB), "--fault", "flipped-element"]),
      keyEnv(ROLE.cheater),
      "cheater",
    );
    daemons.push(cheater);
    await cheater.started();
  });

  it("restarts after each crash and wins without duplicating the challenge or the bond", async () => {
    for (const [i, stage] of CRASH_STAGES.entries()) {
      const w = new Daemon(watcherArgs(chain), { ...keyEnv(ROLE.watcher), REFUTE_CRASH_AT: stage }, `watcher@${stage}`);
      daemons.push(w);
      if (i === 0) {
        await w.started();
        jobId = await request(chain, ROLE.requesterB, imageInput(chain.compiled, 3));
      }
      const exit = await Promise.race([
        w.exited,
        new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 90_000)),
      ]);
      assert.notEqual(exit, "timeout", `the watcher never reached ${stage}\n${w.tail()}`);
      assert.equal(
        typeof exit === "object" && exit.signal,
        "SIGKILL",
        `${stage}: ${JSON.stringify(exit)}\n${w.tail()}`,
      );
      assert.ok(
        w.find((l) => l["stage"] === stage),
        `killed at ${stage}`,
      );
    }
    const last = new Daemon(watcherArgs(chain), keyEnv(ROLE.watcher), "watcher");
    daemons.push(last);
    await untilStatus(chain, jobId, JobStatus.Slashed, 120_000, () => last.tail());
    const commits = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeCommitted",
      args: { challenger: chain.address(ROLE.watcher) },
      fromBlock: 0n,
    });
    const reveals = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeRevealed",
      args: { challenger: chain.address(ROLE.watcher) },
      fromBlock: 0n,
    });
    assert.equal(commits.length, 1, "exactly one challenge commit");
    assert.equal(reveals.length, 1, "exactly one bond posted");
    const resolved = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeResolved",
      fromBlock: 0n,
    });
    assert.deepEqual(
      resolved.map((l) => [l.args.id, l.args.outcome, l.args.reason]),
      [[reveals[0]?.args.id, 1, 1]],
      "won by a fraud proof",
    );
    await last.waitFor((l) => l.msg === "bounty received", 30_000, "bounty accounted");
  });
});
