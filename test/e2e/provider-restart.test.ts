/**
 * The provider commits an output only and traces a job when it is challenged. Killed
 * (SIGKILL) after its commit and restarted on the same database, it traces the job from
 * the stored input once a challenge arrives and posts the honest node roots, ending in
 * its committed output; the challenger, having nothing to prove, loses its bond.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keccak256, stringToHex } from "viem";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { JobStatus, Outcome, Reason } from "../../src/chain/enums.ts";
import { readDispute } from "../../src/chain/read/dispute.ts";
import { traceRootOf } from "../../src/graph/descriptor.ts";
import { commitTicket, revealTicket, type ChallengeTicket } from "../../src/dispute/ticket.ts";
import { traceModel } from "../../src/trace/trace.ts";
import {
  Daemon,
  imageInput,
  jobOf,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  setupChain,
  TOKEN,
  until,
  untilStatus,
  type Chain,
} from "./harness.ts";

describe("e2e: provider restarted between its commit and a challenge", { timeout: 240_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });

  before(async () => {
    // A window long enough for the kill, the challenge and the restart.
    chain = await setupChain({
      params: {
        challengeWindow: 120n,
        responseWindow: 30n,
        collateralPerJob: 100n * TOKEN,
        challengerBond: 10n * TOKEN,
      },
    });
  });

  it("traces the job from its stored input and posts the honest roots", async () => {
    const args = providerArgs(chain, ROLE.honest, ["--requester", chain.address(ROLE.requesterA)]);
    const first = new Daemon(args, keyEnv(ROLE.honest), "provider");
    daemons.push(first);
    await first.started();
    const input = imageInput(chain.compiled, 4);
    const jobId = await request(chain, ROLE.requesterA, input);
    await untilStatus(chain, jobId, JobStatus.Committed, 60_000, () => first.tail());
    await first.waitFor(
      (l) => l.msg === "job committed" && String(l["jobId"]) === String(jobId),
      30_000,
      "the commit followed",
    );
    assert.ok(
      first.find((l) => l.msg === "job run" && String(l["jobId"]) === String(jobId)),
      "the commit ran the model",
    );
    assert.equal(
      first.find((l) => l.msg === "job traced"),
      undefined,
      "an unchallenged job is not traced",
    );
    first.kill("SIGKILL");
    await first.exited;

    const job = await jobOf(chain, jobId);
    const challenger = chain.client(ROLE.watcher);
    const ticket: ChallengeTicket = {
      jobId,
      modelId: job.modelId,
      commitmentHash: job.commitmentHash,
      challenger: chain.address(ROLE.watcher),
      salt: keccak256(stringToHex("provider-restart")),
    };
    const { id, receipt } = await commitTicket(challenger, ticket);
    // The reveal must come in a later block than the commit.
    await until(async () => (await chain.public.getBlockNumber()) > receipt.blockNumber, 10_000, "the next block");
    await revealTicket(challenger, id, ticket);

    const second = new Daemon(args, keyEnv(ROLE.honest), "provider (restarted)");
    daemons.push(second);
    await second.started();
    const read = () => readDispute(chain.public, { address: chain.addresses.disputeGame, jobId });
    await until(
      async () => (await read()).rootsPostedAt !== 0n,
      60_000,
      "roots posted",
      () => second.tail(),
    );
    assert.ok(
      second.find((l) => l.msg === "job traced" && String(l["jobId"]) === String(jobId)),
      "traced after the restart, for the challenge",
    );

    const honest = await traceModel(chain.compiled, input);
    const [posted] = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "RootsPosted",
      args: { jobId },
      fromBlock: 0n,
    });
    assert.deepEqual(posted?.args.nodeRoots, honest.nodeRoots, "the honest node roots");
    assert.equal(posted?.args.nodeRoots?.at(-1), job.outputRoot, "ending in the committed output");
    assert.equal((await read()).rootsHash, traceRootOf(honest.nodeRoots), "the stored roots hash");

    // The challenger has no node to dispute: it misses its deadline and the job is released.
    await untilStatus(chain, jobId, JobStatus.Finalized, 150_000, () => second.tail());
    const resolved = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeResolved",
      args: { id },
      fromBlock: 0n,
    });
    assert.deepEqual(
      resolved.map((l) => [l.args.outcome, l.args.reason]),
      [[Outcome.Lost, Reason.ChallengerTimeout]],
      "lost by the challenger's timeout",
    );
  });
});
