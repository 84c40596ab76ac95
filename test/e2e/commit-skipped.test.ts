/**
 * A commitBatch whose job can no longer be committed by the time it is mined: the
 * contract commits the others and leaves that one out with `CommitSkipped(jobId,
 * reason)`. The provider daemon (a real `refute provide` process) must read the skip
 * from the receipt, record the job as skipped — not committed, and not traced again for
 * another commit — and still follow the jobs the batch did commit.
 *
 * The race is made deterministic with anvil's mining under the test's control: both jobs
 * are requested in one block, the daemon batches them while blocks are held, and the
 * block that mines the batch is stamped past the commit deadline of one of them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestClient, http, parseEventLogs, type Hash, type TestClient } from "viem";
import { foundry } from "viem/chains";
import { jobManagerAbi } from "../../src/chain/abis.ts";
import { JobStatus, SkipReason } from "../../src/chain/enums.ts";
import { requestJob } from "../../src/client/calls.ts";
import { viemCall } from "../../src/client/send.ts";
import { openDatabase } from "../../src/service/sqlite.ts";
import { pack } from "../../src/tensor/packing.ts";
import { PROVIDER_MIGRATIONS, ProviderStore } from "../../provider/store.ts";
import {
  Daemon,
  imageInput,
  jobOf,
  keyEnv,
  providerArgs,
  ROLE,
  setupChain,
  sleep,
  TOKEN,
  until,
  type Chain,
  type LogLine,
} from "./harness.ts";

describe("e2e: a job left out of a mined commitBatch (CommitSkipped)", { timeout: 180_000 }, () => {
  let chain: Chain;
  let test: TestClient;
  let provider: Daemon | undefined;

  before(async () => {
    chain = await setupChain();
    test = createTestClient({ chain: foundry, mode: "anvil", transport: http(chain.anvil.rpcUrl) });
    // From here on, a block comes only when the test mines one.
    await test.setIntervalMining({ interval: 0 });
    await test.setAutomine(false);
  });
  after(async () => {
    await provider?.stop();
    await chain?.stop();
  });

  /** Mines one block stamped `timestamp` (or one second after the last). */
  const mineAt = async (timestamp?: bigint): Promise<bigint> => {
    const last = await chain.public.getBlock({ blockTag: "latest" });
    const t = timestamp ?? last.timestamp + 1n;
    await test.setNextBlockTimestamp({ timestamp: t });
    await test.mine({ blocks: 1 });
    return t;
  };
  const forJob = (jobId: bigint) => (l: LogLine) => String(l["jobId"]) === jobId.toString();
  const batchesWith = (jobId: bigint) =>
    provider!.lines.filter(
      (l) =>
        (l.msg === "committing batch" || l.msg === "committing") &&
        Array.isArray(l["jobs"]) &&
        (l["jobs"] as unknown[]).map(String).includes(jobId.toString()),
    );

  it("records the skipped job as skipped, commits the other, and never sends the skipped one again", async () => {
    provider = new Daemon(
      providerArgs(chain, ROLE.honest, ["--requester", chain.address(ROLE.requesterA), "--batch-wait", "2000"]),
      keyEnv(ROLE.honest),
      "provider",
    );
    // Blocks while it starts: its head follows the chain.
    let exited = false;
    void provider.exited.then(() => (exited = true));
    for (const deadline = Date.now() + 60_000; provider.find((l) => l.msg === "provider starting") === undefined;) {
      if (exited || Date.now() > deadline) assert.fail(`the provider did not start\n${provider.tail()}`);
      await mineAt();
      await sleep(300);
    }

    // Two jobs in one block: a long commit deadline for `kept`, a short one for `late`.
    const now = (await chain.public.getBlock({ blockTag: "latest" })).timestamp;
    const requester = chain.client(ROLE.requesterA);
    const hashes: Hash[] = [];
    const lateDeadline = now + 120n;
    for (const [image, commitDeadline] of [
      [0, now + 600n],
      [1, lateDeadline],
    ] as const) {
      const call = requestJob(chain.addresses, {
        modelId: chain.modelId,
        input: pack(imageInput(chain.compiled, image)),
        fee: TOKEN,
        commitDeadline,
      });
      hashes.push(await requester.wallet.writeContract({ ...viemCall(call), account: requester.wallet.account }));
    }
    await mineAt();
    const [kept, late] = await Promise.all(
      hashes.map(async (hash) => {
        const receipt = await chain.public.getTransactionReceipt({ hash });
        const [log] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
        if (log === undefined) throw new Error("a request emitted no JobRequested");
        return log.args.jobId;
      }),
    );
    assert.ok(kept !== undefined && late !== undefined);
    // One more block for the daemon's confirmation; then none until the batch is in the mempool.
    await mineAt();
    const batch = await provider.waitFor(
      (l) => l.msg === "committing batch" && batchesWith(late).includes(l) && batchesWith(kept).includes(l),
      90_000,
      "one commitBatch of both jobs",
    );
    const key = String(batch["key"]);

    // The batch's block comes after `late`'s commit deadline.
    await mineAt(lateDeadline + 1n);
    const block = await chain.public.getBlock({ blockTag: "latest", includeTransactions: true });
    const mined = block.transactions.find((tx) => tx.from.toLowerCase() === chain.address(ROLE.honest).toLowerCase());
    assert.ok(mined !== undefined, "the daemon's commitBatch is in the block stamped past the deadline");
    const receipt = await chain.public.getTransactionReceipt({ hash: mined.hash });
    assert.equal(receipt.status, "success");
    const skipped = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "CommitSkipped" });
    assert.deepEqual(
      skipped.map((l) => [l.args.jobId, l.args.reason]),
      [[late, SkipReason.DeadlinePassed]],
    );
    const committed = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobCommitted" });
    assert.deepEqual(
      committed.map((l) => l.args.jobId),
      [kept],
    );

    // Blocks again, so that the daemon sees the receipt deep enough.
    await test.setIntervalMining({ interval: 1 });
    const skipLine = await provider.waitFor(
      (l) => l.msg === "job skipped by commitBatch" && forJob(late)(l),
      60_000,
      "the skip",
    );
    assert.equal(skipLine["reason"], "DeadlinePassed");
    await provider.waitFor((l) => l.msg === "job committed" && forJob(kept)(l), 60_000, "the kept job's commit");
    assert.equal(
      provider.find((l) => l.msg === "job committed" && forJob(late)(l)),
      undefined,
      "the skipped job is never recorded as committed",
    );

    // Ten more blocks: the skipped job is not batched again, nor committed alone.
    const from = await chain.public.getBlockNumber();
    await until(async () => (await chain.public.getBlockNumber()) >= from + 10n, 60_000, "ten blocks");
    assert.equal(batchesWith(late).length, 1, "one commit of the late job, ever");
    assert.equal(
      provider.lines.filter((l) => l.msg === "commit refused by simulation").length,
      0,
      "nothing was retried into a refusal",
    );
    assert.equal((await jobOf(chain, late)).status, JobStatus.Requested, "nobody committed the late job");
    assert.equal((await jobOf(chain, kept)).status, JobStatus.Committed);
    assert.equal((await jobOf(chain, kept)).provider, chain.address(ROLE.honest));

    // The daemon's own record, read from its database once it has stopped.
    await provider.stop();
    const db = await openDatabase(join(chain.dir, `provider-${ROLE.honest}.sqlite`), PROVIDER_MIGRATIONS);
    try {
      const store = new ProviderStore(db);
      assert.equal(store.job(late)?.state, "skipped");
      assert.equal(store.job(late)?.commitKey, key);
      assert.equal(store.job(kept)?.state, "committed");
    } finally {
      db.close();
    }
  });
});
