/**
 * Scenario 3: a reorg (`anvil_reorg`) drops the watcher's challenge commit right
 * after it is mined. The watcher notices (its receipt is gone), re-sends it with the
 * same nonce, reveals and still wins before the deadline — with one challenge.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import {
  Daemon,
  imageInput,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  setupChain,
  sleep,
  TOKEN,
  until,
  watcherArgs,
  type Chain,
  untilStatus,
} from "./harness.ts";

describe("e2e: a reorg drops the watcher's challenge transaction", { timeout: 240_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });
  before(async () => {
    chain = await setupChain({
      params: {
        challengeWindow: 60n,
        responseWindow: 30n,
        collateralPerJob: 100n * TOKEN,
        challengerBond: 10n * TOKEN,
      },
    });
    daemons.push(
      new Daemon(
        providerArgs(chain, ROLE.cheater, [
          "--requester",
          chain.address(ROLE.requesterB),
          "--fault",
          "flipped-element",
        ]),
        keyEnv(ROLE.cheater),
        "cheater",
      ),
      new Daemon(watcherArgs(chain), keyEnv(ROLE.watcher), "watcher"),
    );
    await Promise.all(daemons.map((d) => d.started()));
  });

  it("re-submits the dropped commit and wins", async () => {
    const watcher = daemons[1];
    assert.ok(watcher);
    const jobId = await request(chain, ROLE.requesterB, imageInput(chain.compiled, 5));
    const commitsOf = () =>
      chain.public.getContractEvents({
        address: chain.addresses.disputeGame,
        abi: disputeGameAbi,
        eventName: "ChallengeCommitted",
        args: { challenger: chain.address(ROLE.watcher) },
        fromBlock: 0n,
      });
    await until(
      async () => (await commitsOf()).length > 0,
      90_000,
      "the watcher's commit is mined",
      () => watcher.tail(),
    );
    const [commit] = await commitsOf();
    assert.ok(commit);
    const head = await chain.public.getBlockNumber();
    const depth = Number(head - (commit.blockNumber ?? head)) + 1;
    await chain.public.request({ method: "anvil_reorg" as never, params: [depth, []] as never });
    await sleep(200);
    assert.equal((await commitsOf()).length, 0, "the reorg removed the commit");

    await watcher.waitFor(
      (l) => l.msg === "tx dropped by a reorg; re-sending" || l.msg === "tx unknown to the node; re-broadcasting",
      30_000,
      "the watcher noticing the dropped transaction",
    );
    await untilStatus(chain, jobId, JobStatus.Slashed, 150_000, () => watcher.tail());
    assert.equal((await commitsOf()).length, 1, "one challenge commit on the final chain");
    const reveals = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeRevealed",
      fromBlock: 0n,
    });
    assert.equal(reveals.length, 1, "one bond on the final chain");
  });
});
