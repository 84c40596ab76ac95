/**
 * Trap models and unpaid jobs, against the operator policy of both daemons
 * (src/service/policy.ts). Anyone may register the shipped model file again with a
 * response window too short to answer a dispute in: an honest provider that served it
 * could be challenged and slashed for missing its roots deadline, and a watcher that
 * challenged a wrong result on it could not move in time and would lose its bond.
 * The provider refuses the registration and a job whose collateral is out of
 * proportion to its fee; the watcher refuses to check jobs of the trap model.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import { registerModel } from "../../src/client/calls.ts";
import { CallRevertedError, send } from "../../src/client/send.ts";
import { modelIdOf } from "../../src/model/modelSpec.ts";
import { modelSpecFor } from "../../src/onnx/modelSpecFor.ts";
import {
  Daemon,
  E2E_PARAMS,
  imageInput,
  jobOf,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  setupChain,
  untilStatus,
  watcherArgs,
  type Chain,
} from "./harness.ts";

describe("e2e: operator policy refuses trap models and unpaid jobs", { timeout: 180_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  let trapModel: `0x${string}`;

  before(async () => {
    chain = await setupChain();
    // Below the protocol's minimum response window (10 s locally) the registry refuses outright.
    const tooShort = modelSpecFor(chain.compiled, {
      uri: "file://fmnist-mlp.onnx",
      params: { ...E2E_PARAMS, responseWindow: 3n },
    });
    await assert.rejects(
      send(chain.client(ROLE.requesterB), registerModel(chain.addresses, tooShort)),
      (err: unknown) => err instanceof CallRevertedError && err.errorName === "ResponseWindowOutOfRange",
    );
    // The same file, registered again with a 12-second response window: above the protocol's
    // floor, below the policy's default minimum of 15 s.
    const trap = modelSpecFor(chain.compiled, {
      uri: "file://fmnist-mlp.onnx",
      params: { ...E2E_PARAMS, responseWindow: 12n },
    });
    await send(chain.client(ROLE.requesterB), registerModel(chain.addresses, trap));
    trapModel = modelIdOf(trap);
    assert.notEqual(trapModel, chain.modelId);
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });

  it("the provider serves the shipped registration and refuses the trap model and a fee-0 job", async () => {
    const provider = new Daemon(
      providerArgs(chain, ROLE.honest, ["--max-collateral-per-fee", "1000"]),
      keyEnv(ROLE.honest),
      "honest",
    );
    daemons.push(provider);
    await provider.started();

    const trapJob = await request(chain, ROLE.requesterA, imageInput(chain.compiled, 0), undefined, trapModel);
    const unpaidJob = await request(chain, ROLE.requesterA, imageInput(chain.compiled, 1), 0n);
    const paidJob = await request(chain, ROLE.requesterA, imageInput(chain.compiled, 2));

    const refusal = await provider.waitFor(
      (l) => l.msg === "refusing a model outside the operator policy",
      60_000,
      "the trap model refused",
    );
    assert.equal(refusal["modelId"], trapModel);
    assert.match(String(refusal["reason"]), /response window 12 s is below the policy minimum 15 s/);
    const unpaid = await provider.waitFor(
      (l) => l.msg === "job outside the operator policy; not serving it" && String(l["jobId"]) === String(unpaidJob),
      60_000,
      "the fee-0 job refused",
    );
    assert.match(String(unpaid["reason"]), /more than 1000 × the fee 0/);

    await untilStatus(chain, paidJob, JobStatus.Committed, 60_000, () => provider.tail());
    // The paid job was committed after both refusals were decided: neither is committed.
    assert.equal((await jobOf(chain, trapJob)).status, JobStatus.Requested);
    assert.equal((await jobOf(chain, unpaidJob)).status, JobStatus.Requested);
  });

  it("the watcher does not check, let alone challenge, a wrong result on the trap model", async () => {
    // A cheater that accepts any response window commits a wrong result on the trap model.
    const cheater = new Daemon(
      providerArgs(chain, ROLE.cheater, [
        "--requester",
        chain.address(ROLE.requesterB),
        "--min-response-window",
        "1",
        "--fault",
        "wrong-output",
      ]),
      keyEnv(ROLE.cheater),
      "cheater",
    );
    const watcher = new Daemon(watcherArgs(chain), keyEnv(ROLE.watcher), "watcher");
    daemons.push(cheater, watcher);
    await Promise.all([cheater, watcher].map((d) => d.started()));
    const badJob = await request(chain, ROLE.requesterB, imageInput(chain.compiled, 3), undefined, trapModel);
    await untilStatus(chain, badJob, JobStatus.Committed, 60_000, () => cheater.tail());
    const skipped = await watcher.waitFor(
      (l) => l.msg === "job outside the operator policy; not checking it" && String(l["jobId"]) === String(badJob),
      60_000,
      "the trap job refused",
    );
    assert.match(String(skipped["reason"]), /response window 12 s is below the policy minimum 15 s/);
    assert.equal(
      watcher.find(
        (l) =>
          String(l["jobId"]) === String(badJob) && (l.msg === "job verified" || l.msg === "job MISMATCH: challenging"),
      ),
      undefined,
      "the trap job is never re-executed",
    );
    const commits = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeCommitted",
      fromBlock: 0n,
    });
    assert.equal(commits.length, 0, "no challenge committed, no bond at risk");
  });
});
