/**
 * The attacks the hardened dispute game (docs/PROTOCOL.md §9) answers, against the real
 * watcher: a cheating provider's friend reveals 17 challenges of its own on the wrong
 * result as soon as it is committed (one more than the old cap of 16 open challenges),
 * so the watcher's reveal would once have been refused; and a blind pre-committer
 * commits on the model before any job exists, hoping to reveal on whatever comes. The
 * watcher's reveal gets in, it wins, and it withdraws its bond, the bounty and every
 * sybil's lost bond; the blind commitment can never be revealed and its bond is
 * forfeited to the treasury once the reveal window passes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keccak256, parseEventLogs, toHex, type TransactionReceipt } from "viem";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { JobStatus, Outcome, Reason } from "../../src/chain/enums.ts";
import { readChallenge, readClaimable, readDispute, readRevealWindow } from "../../src/chain/read/dispute.ts";
import { readJob } from "../../src/chain/read/jobs.ts";
import { readBalance } from "../../src/chain/read/token.ts";
import { approve, commitChallenge, forfeitCommitment, revealChallenge } from "../../src/client/calls.ts";
import { CallRevertedError, send } from "../../src/client/send.ts";
import { challengeCommitment, ensureBondAllowance, type ChallengeTicket } from "../../src/dispute/ticket.ts";
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
  untilStatus,
  watcherArgs,
  type Chain,
} from "./harness.ts";

const SYBILS = 17;
const PARAMS = {
  challengeWindow: 60n,
  responseWindow: 20n,
  collateralPerJob: 100n * TOKEN,
  challengerBond: 10n * TOKEN,
};
const TREASURY = "0x7ea5000000000000000000000000000000007ea5";

function refusedWith(name: string) {
  return (err: unknown) => err instanceof CallRevertedError && err.errorName === name;
}

describe("e2e: sybil challenges and a blind pre-committer cannot beat the watcher", { timeout: 300_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });
  before(async () => {
    chain = await setupChain({ params: PARAMS });
    daemons.push(
      new Daemon(
        providerArgs(chain, ROLE.cheater, ["--requester", chain.address(ROLE.requesterB), "--fault", "wrong-output"]),
        keyEnv(ROLE.cheater),
        "cheater",
      ),
      new Daemon(watcherArgs(chain), keyEnv(ROLE.watcher), "watcher"),
    );
    await Promise.all(daemons.map((d) => d.started()));
  });

  it("the watcher reveals past 17 sybil challenges, wins, and withdraws bounty and pot; the blind commitment is forfeited", async () => {
    const watcher = daemons[1];
    assert.ok(watcher);
    const sybil = chain.client(ROLE.requesterA);
    const blind = chain.client(ROLE.honest);
    // Every sybil commit pulls a bond.
    await send(sybil, approve(chain.addresses, chain.addresses.disputeGame, BigInt(SYBILS) * PARAMS.challengerBond));
    await ensureBondAllowance(blind, chain.modelId);

    // The blind pre-committer: a commitment on the model before any job exists.
    const blindTicket: ChallengeTicket = {
      jobId: 1n,
      modelId: chain.modelId,
      commitmentHash: keccak256(toHex("a guess")),
      challenger: blind.wallet.account.address,
      salt: keccak256(toHex("blind")),
    };
    const blindReceipt = (
      await send(blind, commitChallenge(chain.addresses, chain.modelId, challengeCommitment(blindTicket)))
    ).receipt;
    const blindId = committedId(blindReceipt);

    const jobId = await request(chain, ROLE.requesterB, imageInput(chain.compiled, 3));
    await untilStatus(chain, jobId, JobStatus.Committed, 90_000, () => watcher.tail());
    const { commitmentHash } = await readJob(chain.public, { address: chain.addresses.jobManager, jobId });

    // The sybils: commit all at once, then reveal all at once, a block later.
    const tickets = Array.from({ length: SYBILS }, (_, k): ChallengeTicket => ({
      jobId,
      modelId: chain.modelId,
      commitmentHash,
      challenger: sybil.wallet.account.address,
      salt: keccak256(toHex(`sybil ${k}`)),
    }));
    const nonce = await chain.public.getTransactionCount({
      address: sybil.wallet.account.address,
      blockTag: "pending",
    });
    const commitHashes = await Promise.all(
      tickets.map((t, k) =>
        sybil.wallet.writeContract({
          ...commitChallenge(chain.addresses, chain.modelId, challengeCommitment(t)),
          nonce: nonce + k,
          gas: 300_000n,
        }),
      ),
    );
    const commits = await Promise.all(commitHashes.map((hash) => chain.public.waitForTransactionReceipt({ hash })));
    assert.equal(commits.filter((r) => r.status === "success").length, SYBILS, "every sybil committed");
    const ids = commits.map(committedId);
    await until(
      async () => (await chain.public.getBlockNumber()) > (commits.at(-1)?.blockNumber ?? 0n),
      10_000,
      "a block after the sybil commits",
    );
    const revealHashes = await Promise.all(
      tickets.map((t, k) =>
        sybil.wallet.writeContract({
          ...revealChallenge(chain.addresses, ids[k] ?? 0n, jobId, commitmentHash, t.salt),
          nonce: nonce + SYBILS + k,
          gas: 400_000n,
        }),
      ),
    );
    const reveals = await Promise.all(revealHashes.map((hash) => chain.public.waitForTransactionReceipt({ hash })));
    assert.equal(reveals.filter((r) => r.status === "success").length, SYBILS, "every sybil revealed");

    // The blind commitment can never be revealed: it bound a guessed commitment hash, not the job's.
    assert.equal(blindTicket.jobId, jobId, "the blind guess even got the job id right");
    await assert.rejects(
      send(blind, revealChallenge(chain.addresses, blindId, jobId, blindTicket.commitmentHash, blindTicket.salt)),
      refusedWith("StaleCommitment"),
    );

    // The watcher still reveals, wins, and the dispute settles.
    await untilStatus(chain, jobId, JobStatus.Slashed, 180_000, () => watcher.tail());
    const dispute = await readDispute(chain.public, { address: chain.addresses.disputeGame, jobId });
    const mine = await chain.public.getContractEvents({
      address: chain.addresses.disputeGame,
      abi: disputeGameAbi,
      eventName: "ChallengeRevealed",
      args: { challenger: chain.address(ROLE.watcher) },
      fromBlock: 0n,
    });
    const watcherId = mine[0]?.args.id;
    assert.ok(watcherId !== undefined, "the watcher revealed");
    assert.ok(dispute.challenges.length >= SYBILS + 1, "every reveal is in the dispute");
    assert.equal(dispute.winner, watcherId, "the watcher's challenge won");
    assert.equal(dispute.settled, true);
    const game = chain.addresses.disputeGame;
    for (const id of ids) {
      const c = await readChallenge(chain.public, { address: game, id });
      // Older than the winner: lost by timeout (bond to the pot); younger: moot (bond back).
      assert.equal(c.outcome, id < watcherId ? Outcome.Lost : Outcome.Moot, `sybil challenge ${id}`);
    }
    const lost = BigInt(ids.filter((id) => id < watcherId).length);

    // The watcher's Withdrawer collects bond, bounty and the sybils' lost bonds.
    const watcherAddress = chain.address(ROLE.watcher);
    const expected = 100_000n * TOKEN + PARAMS.collateralPerJob / 2n + lost * PARAMS.challengerBond;
    await until(
      async () =>
        (await readBalance(chain.public, { address: chain.addresses.token, owner: watcherAddress })) === expected,
      60_000,
      "the watcher withdrew bond, bounty and pot",
      () => watcher.tail(),
    );
    assert.equal(await readClaimable(chain.public, { address: game, account: watcherAddress }), 0n);

    // Past the reveal window anyone forfeits the blind commitment: its bond goes to the treasury.
    const window = await readRevealWindow(chain.public, { address: game });
    const lastBlock = (blindReceipt.blockNumber ?? 0n) + window;
    await chain.public.request({
      method: "anvil_mine" as never,
      params: [toHex(lastBlock - (await chain.public.getBlockNumber()) + 1n)] as never,
    });
    await assert.rejects(
      send(blind, revealChallenge(chain.addresses, blindId, jobId, blindTicket.commitmentHash, blindTicket.salt)),
      refusedWith("RevealWindowPassed"),
    );
    const treasuryBefore = await readClaimable(chain.public, { address: game, account: TREASURY });
    await send(chain.client(ROLE.requesterB), forfeitCommitment(chain.addresses, blindId));
    const forfeited = await readChallenge(chain.public, { address: game, id: blindId });
    assert.equal(forfeited.outcome, Outcome.Forfeited);
    assert.equal(forfeited.reason, Reason.Unrevealed);
    assert.equal(
      await readClaimable(chain.public, { address: game, account: TREASURY }),
      treasuryBefore + PARAMS.challengerBond,
    );
  });
});

function committedId(receipt: TransactionReceipt): bigint {
  const [event] = parseEventLogs({ abi: disputeGameAbi, logs: receipt.logs, eventName: "ChallengeCommitted" });
  if (event === undefined) throw new Error(`no ChallengeCommitted in ${receipt.transactionHash}`);
  return event.args.id;
}
