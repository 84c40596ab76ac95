/**
 * A provider whose free stake is short when a job arrives (its deposit not yet
 * mined, or its collateral locked by other jobs) keeps the job and commits it as
 * soon as the stake is there, instead of dropping it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { approve, deposit } from "../../src/client/calls.ts";
import { send } from "../../src/client/send.ts";
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
  until,
  type Chain,
  jobOf,
} from "./harness.ts";

describe("e2e: provider without free stake", { timeout: 120_000 }, () => {
  let chain: Chain;
  let provider: Daemon;
  // requesterB holds tokens but has never staked: it plays a provider whose deposit is not in yet.
  const role = ROLE.requesterB;

  before(async () => {
    chain = await setupChain();
  });
  after(async () => {
    await provider?.stop();
    await chain?.stop();
  });

  it("retries a commit refused for lack of stake and commits once the deposit lands", async () => {
    provider = new Daemon(
      providerArgs(chain, role, ["--requester", chain.address(ROLE.requesterA)]),
      keyEnv(role),
      "unstaked",
    );
    const jobId = await request(chain, ROLE.requesterA, imageInput(chain.compiled, 0));
    await provider.waitFor(
      (l) => l.msg === "not enough free stake to commit; will retry" && String(l["jobId"]) === String(jobId),
      60_000,
      "the refused commit",
    );
    const job = () => jobOf(chain, jobId);
    assert.equal((await job()).status, JobStatus.Requested);
    assert.equal(
      provider.find((l) => l.msg === "commit refused by simulation"),
      undefined,
    );

    await send(chain.client(role), approve(chain.addresses, chain.addresses.stakeManager, 1_000n * TOKEN));
    await send(chain.client(role), deposit(chain.addresses, 1_000n * TOKEN));
    await until(
      async () => (await job()).status === JobStatus.Committed,
      60_000,
      "the commit",
      () => provider.tail(),
    );
    const j = await job();
    assert.equal(j.provider, chain.address(role));
    assert.equal(
      provider.lines.filter((l) => l.msg === "not enough free stake to commit; will retry").length,
      1,
      "the wait is logged once, not every tick",
    );
  });
});
