/**
 * Scenario 4: the watcher's primary RPC becomes unreachable for longer than several
 * blocks (a proxy that holds every request), twice — right after the challenge
 * commit and again mid-dispute — while its second RPC lags two blocks behind. The
 * watcher fails over, recovers, and still meets every deadline.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JobStatus } from "../../src/chain/enums.ts";
import {
  Daemon,
  imageInput,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  RpcProxy,
  setupChain,
  sleep,
  TOKEN,
  watcherArgs,
  type Chain,
  untilStatus,
} from "./harness.ts";

describe("e2e: primary RPC down, fallback RPC lagging", { timeout: 240_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  let primary: RpcProxy;
  let lagging: RpcProxy;
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await primary?.stop();
    await lagging?.stop();
    await chain?.stop();
  });
  before(async () => {
    chain = await setupChain({
      params: {
        challengeWindow: 45n,
        responseWindow: 25n,
        collateralPerJob: 100n * TOKEN,
        challengerBond: 10n * TOKEN,
      },
    });
    primary = await new RpcProxy(chain.anvil.rpcUrl).start();
    lagging = await new RpcProxy(chain.anvil.rpcUrl, 2).start();
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
      new Daemon(watcherArgs(chain, [], [primary.url, lagging.url]), keyEnv(ROLE.watcher), "watcher"),
    );
    await Promise.all(daemons.map((d) => d.started()));
  });

  it("fails over, recovers and wins before the deadlines", async () => {
    const watcher = daemons[1];
    assert.ok(watcher);
    const jobId = await request(chain, ROLE.requesterB, imageInput(chain.compiled, 7));
    await watcher.waitFor((l) => l.msg === "challenge commit sent", 60_000, "challenge commit");
    primary.pause();
    await sleep(8000);
    primary.resume();
    await watcher.waitFor((l) => l.msg === "RPC endpoint down", 1000, "the outage noticed");
    await watcher.waitFor((l) => l.msg === "disputing node", 40_000, "the dispute");
    primary.pause();
    await sleep(6000);
    primary.resume();
    await untilStatus(chain, jobId, JobStatus.Slashed, 120_000, () => watcher.tail());
    await watcher.waitFor((l) => l.msg === "RPC endpoint up", 10_000, "the primary back up");
  });
});
