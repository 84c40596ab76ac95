/**
 * The replay's Credited steps (pull payments, docs/PROTOCOL.md §9.5) for a fraud dispute
 * played to its settlement on anvil with two challengers: an earlier one that lets its
 * challenge time out (its bond goes to the job's pot) and the watcher that proves the
 * fraud. The replay, read from chain data alone, must show every payout of the slash —
 * who, why and how much — as the contract splits it (§9.4), and those payouts must add
 * up to everything the game took in for the job.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeAbiParameters, keccak256, parseEventLogs, type Address } from "viem";
import { readContract } from "viem/actions";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { JobStatus, Outcome, Reason } from "../../src/chain/enums.ts";
import { readChallenge, readClaimable } from "../../src/chain/read/dispute.ts";
import { readJob, type Job } from "../../src/chain/read/jobs.ts";
import { readModel } from "../../src/chain/read/registry.ts";
import { readBalance } from "../../src/chain/read/token.ts";
import { approve, commitChallenge, mint, revealChallenge } from "../../src/client/calls.ts";
import type { RefuteClient } from "../../src/client/contracts.ts";
import { send } from "../../src/client/send.ts";
import { connectSigner } from "../../src/cli/network.ts";
import { keyOf } from "../../src/demo/accounts.ts";
import { forgeCommitment } from "../../src/dispute/faults.ts";
import { challengeCommitment } from "../../src/dispute/ticket.ts";
import { replayJob, type ReplayReport } from "../../src/replay/replay.ts";
import { renderReplay } from "../../src/replay/render.ts";
import { Rng } from "../../src/vectors/rng.ts";
import {
  advance,
  challenge,
  challengerProves,
  challengerSelects,
  commit,
  openTable,
  providerPostsRoots,
  providerRevealsWhole,
  requestImage,
  RESPONSE,
  timeout,
  type Table,
} from "./scenario.ts";

interface Credit {
  readonly account: Address;
  readonly reason: string;
  readonly amount: bigint;
}

describe("refute replay: the payouts of a settled fraud", { timeout: 300_000 }, () => {
  let t: Table;
  let early: RefuteClient;
  let jobId: bigint;
  let lostId: bigint;
  let wonId: bigint;
  let job: Job;
  let report: ReplayReport;

  const game = () => t.addresses.disputeGame;
  const view = (functionName: "BOUNTY_BPS" | "REQUESTER_BPS" | "TREASURY_BPS") =>
    readContract(t.requester.public, { address: game(), abi: disputeGameAbi, functionName });

  before(async () => {
    t = await openTable();
    // A second challenger, funded and approved like the table's own.
    const deployer = await connectSigner(t.anvil.rpcUrl, keyOf("deployer"), "local");
    const ownWatcher = await connectSigner(t.anvil.rpcUrl, keyOf("ownWatcher"), "local");
    early = { public: ownWatcher.public, wallet: ownWatcher.wallet, addresses: t.addresses };
    const admin: RefuteClient = { public: deployer.public, wallet: deployer.wallet, addresses: t.addresses };
    // Enough for a few bonds of the shipped model.
    await send(admin, mint(t.addresses, early.wallet.account.address, (await readJobBond()) * 10n));
    await send(early, approve(t.addresses, game(), 2n ** 255n));

    const requested = await requestImage(t, 3);
    jobId = requested.jobId;
    const c = forgeCommitment("flipped-element", t.compiled, requested.trace, new Rng(7));
    const commitmentHash = await commit(t, jobId, c);

    // The early challenger commits and reveals first: the lower id, so it keeps its own game.
    const salt = keccak256(encodeAbiParameters([{ type: "string" }], ["early"]));
    const commitment = challengeCommitment({
      jobId,
      modelId: t.modelId,
      commitmentHash,
      challenger: early.wallet.account.address,
      salt,
    });
    const { receipt } = await send(early, commitChallenge(t.addresses, t.modelId, commitment));
    const [committed] = parseEventLogs({ abi: disputeGameAbi, logs: receipt.logs, eventName: "ChallengeCommitted" });
    if (committed === undefined) throw new Error("no ChallengeCommitted");
    lostId = committed.args.id;
    await t.test.mine({ blocks: 1 });
    await send(early, revealChallenge(t.addresses, lostId, jobId, commitmentHash, salt));

    // The watcher proves the fraud; the early challenge is still open, so nothing settles yet.
    wonId = await challenge(t, jobId, commitmentHash);
    await providerPostsRoots(t, jobId, c);
    const node = await challengerSelects(t, wonId, c, requested.trace);
    const words = await providerRevealsWhole(t, wonId, c, node);
    await challengerProves(t, wonId, c, requested.trace, node, words);
    assert.equal(
      (await readJob(t.requester.public, { address: t.addresses.jobManager, jobId })).status,
      JobStatus.Committed,
    );

    // The early challenger never names a node: its timeout loses it, and settles the job.
    await advance(t, RESPONSE + 1n);
    await timeout(t, lostId);

    job = await readJob(t.requester.public, { address: t.addresses.jobManager, jobId });
    report = await replayJob({ client: t.requester.public, addresses: t.addresses, jobId, fromBlock: t.deployBlock });
  });
  after(async () => {
    await t?.stop();
  });

  /** The bond the shipped model asks of a challenger, as the registry holds it. */
  async function readJobBond(): Promise<bigint> {
    const model = await readModel(t.requester.public, { address: t.addresses.modelRegistry, modelId: t.modelId });
    return model.params.challengerBond;
  }

  const credits = (): Credit[] => report.steps.flatMap((s) => (s.credit === undefined ? [] : [s.credit]));

  test("the chain's resolution: the watcher's challenge won, the early one lost, the job is slashed", async () => {
    const won = await readChallenge(t.requester.public, { address: game(), id: wonId });
    const lost = await readChallenge(t.requester.public, { address: game(), id: lostId });
    assert.ok(lostId < wonId);
    assert.equal(won.outcome, Outcome.Won);
    assert.equal(won.reason, Reason.FraudProven);
    assert.equal(lost.outcome, Outcome.Lost);
    assert.equal(lost.reason, Reason.ChallengerTimeout);
    assert.equal(report.status, "Slashed");
    assert.equal(report.agrees, true);
    assert.equal(report.ruleViolations, 0);
  });

  test("every Credited step names its account, reason and amount as the contract splits the slash", async () => {
    const [bountyBps, requesterBps, treasuryBps] = await Promise.all([
      view("BOUNTY_BPS"),
      view("REQUESTER_BPS"),
      view("TREASURY_BPS"),
    ]);
    // docs/PROTOCOL.md §9.4: 50 % of C to the winner, 30 % to the requester, 20 % to the treasury.
    assert.deepEqual([bountyBps, requesterBps, treasuryBps], [5000n, 3000n, 2000n]);
    const treasury = await readContract(t.requester.public, {
      address: game(),
      abi: disputeGameAbi,
      functionName: "treasury",
    });
    const watcher = t.challenger.wallet.account.address;
    const requester = t.requester.wallet.account.address;
    const wonBond = (await readChallenge(t.requester.public, { address: game(), id: wonId })).bond;
    const lostBond = (await readChallenge(t.requester.public, { address: game(), id: lostId })).bond;
    const C = job.collateral;
    const bounty = (C * bountyBps) / 10_000n;
    const share = (C * requesterBps) / 10_000n;
    assert.ok(C > 0n && job.fee > 0n && wonBond > 0n && lostBond > 0n);

    assert.deepEqual(credits(), [
      // As the won challenge ends, its bond comes back; then the settlement's shares.
      { account: watcher, reason: "BondRefund", amount: wonBond },
      { account: watcher, reason: "Bounty", amount: bounty },
      { account: watcher, reason: "LostBonds", amount: lostBond },
      { account: requester, reason: "RequesterShare", amount: share },
      { account: requester, reason: "FeeRefund", amount: job.fee },
      { account: treasury, reason: "TreasuryShare", amount: C - bounty - share },
    ]);
    // The early challenger lost: nothing of this job is credited to it.
    assert.equal(
      await readClaimable(t.requester.public, { address: game(), account: early.wallet.account.address }),
      0n,
    );
    // The requester is made whole: its fee and its share wait in claimable.
    assert.equal(await readClaimable(t.requester.public, { address: game(), account: requester }), job.fee + share);
  });

  test("the credits add up to what the game took in for the job, and the game holds exactly that", async () => {
    const sum = credits().reduce((s, c) => s + c.amount, 0n);
    const bonds =
      (await readChallenge(t.requester.public, { address: game(), id: wonId })).bond +
      (await readChallenge(t.requester.public, { address: game(), id: lostId })).bond;
    assert.equal(sum, job.collateral + job.fee + bonds, "the collateral, the fee and both bonds, nothing else");
    // The only job of this table: the game's tokens are this job's payouts, none withdrawn yet.
    assert.equal(await readBalance(t.requester.public, { address: t.addresses.token, owner: game() }), sum);

    // The replay's credits are the chain's Credited events of the job, read independently.
    const logs = await t.requester.public.getContractEvents({
      address: game(),
      abi: disputeGameAbi,
      eventName: "Credited",
      args: { jobId },
      fromBlock: t.deployBlock,
    });
    assert.deepEqual(
      logs.map((l) => l.args.amount),
      credits().map((c) => c.amount),
    );
    const pot = await readContract(t.requester.public, {
      address: game(),
      abi: disputeGameAbi,
      functionName: "disputeOf",
      args: [jobId],
    });
    assert.equal(pot.pot, 0n, "the pot was paid out to the winner");
  });

  test("the rendered story says each credit is claimable, and the slash that the fee is", () => {
    const text = renderReplay(report);
    const lines = text
      .split("\n")
      .filter((l) =>
        / credited [\d.]+ tokens to 0x[0-9a-fA-F]{6}…[0-9a-fA-F]{4} \(\w+\), claimable in the dispute game$/.test(l),
      );
    assert.equal(lines.length, credits().length);
    for (const [i, c] of credits().entries()) assert.match(lines[i] ?? "", new RegExp(`\\(${c.reason}\\)`));
    assert.match(text, /slashed: .* fee [\d.]+ tokens refunded \(claimable in the dispute game\)/);
  });
});
