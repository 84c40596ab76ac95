/**
 * examples/collect-refund.ts run as a real child process against anvil with the protocol
 * deployed (as `refute deploy` does, its deployment file written): on a job whose wrong
 * result was proven and slashed, it reports the requester's claimable balance and
 * withdraws it, and the tokens arrive; on a job that is not slashed it sends nothing.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { formatUnits, type Address, type Hex } from "viem";
import { readContract } from "viem/actions";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { readClaimable } from "../../src/chain/read/dispute.ts";
import { readJob } from "../../src/chain/read/jobs.ts";
import { readBalance } from "../../src/chain/read/token.ts";
import { addressOf, keyOf } from "../../src/demo/accounts.ts";
import { REPO } from "../../src/demo/daemonProcess.ts";
import { forgeCommitment, honestCommitment } from "../../src/dispute/faults.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { commit, openTable, playFraudToTheEnd, requestImage, type Table } from "../replay/scenario.ts";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe("examples/collect-refund.ts", { timeout: 180_000 }, () => {
  let t: Table;
  let slashedJob: bigint;
  let committedJob: bigint;
  const requesterKey: Hex = keyOf("requester");

  /** Runs the example to its end (killed after `timeoutMs`). */
  const collect = (args: readonly string[], timeoutMs = 60_000): Promise<Run> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", join("examples", "collect-refund.ts"), ...args], {
        cwd: REPO,
        env: {
          ...process.env,
          REFUTE_RPC_URL: t.anvil.rpcUrl,
          REFUTE_PRIVATE_KEY: requesterKey,
          REFUTE_DEPLOYMENT: t.deploymentFile,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  const claimable = (account: Address) =>
    readClaimable(t.requester.public, { address: t.addresses.disputeGame, account });
  const balance = (owner: Address) => readBalance(t.requester.public, { address: t.addresses.token, owner });
  const tokens = (x: bigint) => `${formatUnits(x, 18)} tokens`.replace(".", "\\.");

  before(async () => {
    t = await openTable();
    const wrong = await requestImage(t, 3);
    const c = forgeCommitment("flipped-element", t.compiled, wrong.trace, new Rng(7));
    await commit(t, wrong.jobId, c);
    await playFraudToTheEnd(t, wrong.jobId, c, wrong.trace);
    slashedJob = wrong.jobId;
    const right = await requestImage(t, 4);
    await commit(t, right.jobId, honestCommitment(right.trace));
    committedJob = right.jobId;
  });
  after(async () => {
    await t?.stop();
  });

  test("a job that is not slashed: it says so, exits 1 and withdraws nothing", async () => {
    const requester = t.requester.wallet.account.address;
    const owed = await claimable(requester);
    assert.ok(owed > 0n, "the slashed job's refund is claimable, yet this job has nothing to do with it");
    const r = await collect([String(committedJob)]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^job ${committedJob}: Committed$`, "m"));
    assert.match(r.stdout, new RegExp(`^job ${committedJob} is not slashed: nothing of it to collect$`, "m"));
    assert.equal(await claimable(requester), owed);
  });

  test("a slashed job: the requester's fee and share are withdrawn and arrive", async () => {
    const requester = t.requester.wallet.account.address;
    const job = await readJob(t.requester.public, { address: t.addresses.jobManager, jobId: slashedJob });
    const owed = await claimable(requester);
    // The fee refund and the requester's share of the collateral (docs/PROTOCOL.md §9.4).
    const bps = await readContract(t.requester.public, {
      address: t.addresses.disputeGame,
      abi: disputeGameAbi,
      functionName: "REQUESTER_BPS",
    });
    assert.equal(owed, job.fee + (job.collateral * bps) / 10_000n);
    const before = await balance(requester);

    const r = await collect([String(slashedJob)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^job ${slashedJob}: Slashed$`, "m"));
    assert.match(r.stdout, new RegExp(`^claimable by ${requester}: ${tokens(owed)}$`, "m"));
    assert.match(r.stdout, new RegExp(`^withdrew ${tokens(owed)} to ${requester} in 0x[0-9a-f]{64}$`, "m"));
    assert.match(
      r.stdout,
      new RegExp(`^token balance of ${requester}: ${tokens(before)} -> ${tokens(before + owed)}$`, "m"),
    );
    assert.equal(await balance(requester), before + owed, "the tokens arrived");
    assert.equal(await claimable(requester), 0n);

    // Run again: nothing is left, and nothing is sent.
    const again = await collect([String(slashedJob)]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^nothing left to withdraw$/m);
    assert.equal(await balance(requester), before + owed);
  });

  test("with a recipient: the balance is withdrawn to that address", async () => {
    const requester = t.requester.wallet.account.address;
    const wrong = await requestImage(t, 5);
    const c = forgeCommitment("flipped-element", t.compiled, wrong.trace, new Rng(11));
    await commit(t, wrong.jobId, c);
    await playFraudToTheEnd(t, wrong.jobId, c, wrong.trace);
    const owed = await claimable(requester);
    assert.ok(owed > 0n);
    const to = addressOf("ownProvider");
    const [requesterBefore, toBefore] = [await balance(requester), await balance(to)];

    const r = await collect([String(wrong.jobId), to]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^withdrew ${tokens(owed)} to ${to} in 0x[0-9a-f]{64}$`, "m"));
    assert.equal(await balance(to), toBefore + owed);
    assert.equal(await balance(requester), requesterBefore, "nothing went to the requester itself");
    assert.equal(await claimable(requester), 0n);
  });
});
