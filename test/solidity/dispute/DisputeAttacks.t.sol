// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {console} from "forge-std/console.sol";
import {ChallengeId, IDisputeGame} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {Duration, JobId, JobStatus, ModelId, ModelSpec, Timestamp} from "../../../contracts/libraries/Types.sol";
import {BlocklistToken} from "../utils/BlocklistToken.sol";
import {RevertingConsumer} from "../utils/Consumers.sol";
import {DisputeData} from "./DisputeData.sol";
import {DisputeFixture} from "./DisputeFixture.sol";
import {SlotFiller} from "./DisputeHandler.sol";

/// @notice The five attacks of the dispute-hardening review, each replayed step by step on the
///         real contracts and shown to fail (docs/PROTOCOL.md §9.1, §9.4, §9.5):
///         1. a blind pre-committer taking the watcher's bounty;
///         2. a model registered with a response window no provider can meet;
///         3. challenge slots filled with sybils (and a timeout + reveal swapping contract);
///         4. a recipient that cannot receive tokens blocking a slash;
///         5. a commit batch sunk by one job committed first by someone else.
contract DisputeAttacksTest is DisputeFixture {
    address internal mallory = makeAddr("mallory (blind pre-committer)");
    address internal carol = makeAddr("carol (copier)");
    address internal cheater = makeAddr("cheater's sybil");
    /// @dev What each held (balance plus claimable) when the attack began.
    uint256 internal malloryStart;
    uint256 internal aliceStart;
    uint256 internal carolStart;

    function setUp() public override {
        super.setUp();
        _fund(mallory, address(game), 1_000e18);
        _fund(carol, address(game), 1_000e18);
        _fund(cheater, address(game), 1_000e18);
    }

    function _honest() internal pure returns (DisputeData.Run memory) {
        return DisputeData.run(7, DisputeData.Fault.None);
    }

    function _wrong() internal pure returns (DisputeData.Run memory) {
        return DisputeData.run(7, DisputeData.Fault.WrongOutput);
    }

    function _net(address who, uint256 start) internal view returns (int256) {
        return int256(_worth(who)) - int256(start);
    }

    // ================================================================== 1. blind pre-committer

    /// @notice Mallory commits a hidden challenge on each of N = 8 jobs as soon as it is committed,
    ///         without re-executing; one of them is wrong (a fraud rate of 1/8, below
    ///         B/(β·C + B) = 1/6). Alice re-executes it and commits; Mallory front-runs Alice's
    ///         reveal with her older commitment, copies each of Alice's public moves and takes the
    ///         bounty. Carol copies Alice's reveal and gets no bounty. Mallory's seven other
    ///         commitments can neither be revealed to any profit nor reclaimed: they are forfeited,
    ///         and Mallory ends with less than she started. On the next fraud Alice reveals after
    ///         Mallory's commitment expired: Mallory cannot reveal, and Alice is paid the bounty.
    function test_attack1_blindPreCommitter_losesMoney_copierNeverGetsTheBounty_watcherIsPaid() public {
        malloryStart = _worth(mallory);
        aliceStart = _worth(alice);
        carolStart = _worth(carol);
        _preCommitterFrontRunsTheWatcher(8, 3);
        // One bounty (β·C = 50) against seven forfeited bonds (7·B = 70).
        int256 malloryNet = _net(mallory, malloryStart);
        assertEq(malloryNet, int256(uint256(COLLATERAL / 2)) - int256(uint256(7 * BOND)));
        assertLt(malloryNet, 0, "blind pre-committing lost money");
        assertEq(_worth(alice), aliceStart, "Alice got her bond back");
        assertEq(_worth(carol), carolStart, "the copier got its bond back and nothing more");
        assertEq(_claimable(treasury), 7 * BOND + (COLLATERAL * 2) / 10);

        _watcherRevealsAfterThePreCommitmentExpired();
        assertEq(_withdraw(alice), 2 * BOND + COLLATERAL / 2, "Alice is paid: two bonds back and the bounty");
        assertEq(_worth(alice), aliceStart + COLLATERAL / 2);
        assertEq(_worth(carol), carolStart, "the copier never gets the bounty");
        assertEq(_net(mallory, malloryStart), int256(uint256(COLLATERAL / 2)) - int256(uint256(8 * BOND)));
    }

    /// @dev Mallory pre-commits on `n` jobs, job `f` of them wrong; she front-runs Alice's reveal on
    ///      it, copies Alice's moves and takes the bounty; Carol copies Alice's reveal; Mallory's
    ///      other commitments are forfeited.
    function _preCommitterFrontRunsTheWatcher(uint256 n, uint256 f) internal {
        DisputeData.Run memory wrong = _wrong();
        JobId[] memory ids = new JobId[](n);
        ChallengeId[] memory pre = new ChallengeId[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = _job(i == f ? wrong : _honest());
            pre[i] = _commit(ids[i], mallory);
        }
        assertEq(_worth(mallory), malloryStart - n * BOND, "every pre-commitment holds a bond");

        // Alice re-executes job f, finds the wrong result and commits (after Mallory did).
        vm.roll(block.number + 1);
        ChallengeId a = _commit(ids[f], alice);
        vm.roll(block.number + 1);
        // Mallory sees Alice's reveal in the mempool and lands her own first.
        _reveal(pre[f], ids[f], mallory);
        _reveal(a, ids[f], alice);
        // Carol copies Alice's reveal: she can only commit after seeing it.
        ChallengeId cc = _commit(ids[f], carol);
        vm.roll(block.number + 1);
        _reveal(cc, ids[f], carol);
        assertLt(ChallengeId.unwrap(pre[f]), ChallengeId.unwrap(a));
        assertLt(ChallengeId.unwrap(a), ChallengeId.unwrap(cc));

        // The cheater answers; Alice plays and the others copy every public move.
        _postRoots(ids[f], wrong);
        _select(a, alice, 2, wrong);
        _select(pre[f], mallory, 2, wrong);
        _select(cc, carol, 2, wrong);
        _revealWhole(a, 2, wrong);
        _revealWhole(pre[f], 2, wrong);
        _revealWhole(cc, 2, wrong);
        _prove(a, alice, wrong, _honest(), 2, 0);
        // Carol's challenge is younger than the winner: moot, bond back, no bounty.
        game.moot(cc);
        assertFalse(game.disputeOf(ids[f]).settled, "Mallory's older challenge keeps its right");
        _prove(pre[f], mallory, wrong, _honest(), 2, 0);
        IDisputeGame.Dispute memory d = game.disputeOf(ids[f]);
        assertTrue(d.settled);
        assertEq(ChallengeId.unwrap(d.winner), ChallengeId.unwrap(pre[f]), "the front-run itself still works");

        // Mallory's commitments on the honest jobs: nothing to copy. An honest job is no reason
        // to get the bond back; after the reveal window anyone forfeits it to the treasury.
        for (uint256 i; i < n; ++i) {
            if (i == f) continue;
            bytes32 h = _commitmentHash(ids[i]);
            vm.expectRevert(abi.encodeWithSelector(IDisputeGame.NotReclaimable.selector, pre[i], ids[i]));
            vm.prank(mallory);
            game.reclaimCommitment(pre[i], ids[i], h, _salt(mallory));
        }
        vm.roll(block.number + REVEAL_WINDOW);
        for (uint256 i; i < n; ++i) {
            if (i != f) game.forfeitCommitment(pre[i]);
        }
    }

    /// @dev The next fraud: Mallory pre-commits at once, Alice re-executes at her own pace and
    ///      reveals after Mallory's reveal window is over. Mallory can no longer reveal; Alice wins.
    function _watcherRevealsAfterThePreCommitmentExpired() internal {
        DisputeData.Run memory wrong = _wrong();
        JobId g = _job(wrong);
        ChallengeId preG = _commit(g, mallory);
        uint256 lastBlock = block.number + REVEAL_WINDOW;
        vm.roll(lastBlock);
        ChallengeId a2 = _commit(g, alice);
        vm.roll(lastBlock + 1);
        _revealReverts(
            preG,
            g,
            mallory,
            abi.encodeWithSelector(IDisputeGame.RevealWindowPassed.selector, preG, lastBlock)
        );
        _reveal(a2, g, alice);
        ChallengeId c2 = _commit(g, carol);
        vm.roll(block.number + 1);
        _reveal(c2, g, carol);
        // The cheater stays silent: every revealed challenge wins, the lowest (Alice's) takes the bounty.
        vm.warp(_deadline(a2) + 1);
        game.timeout(c2);
        IDisputeGame.Dispute memory d = game.disputeOf(g);
        assertTrue(d.settled);
        assertEq(ChallengeId.unwrap(d.winner), ChallengeId.unwrap(a2));
        _assertOutcome(c2, IDisputeGame.Outcome.Moot);
        game.forfeitCommitment(preG);
    }

    /// @notice A copier with a live commitment made after the watcher's commit always has a larger
    ///         id, whatever the order of the reveals, so it never takes the bounty.
    function test_attack1_copierRevealingFirst_stillLosesTheBountyToTheOlderId() public {
        DisputeData.Run memory wrong = _wrong();
        JobId id = _job(wrong);
        ChallengeId a = _commit(id, alice);
        ChallengeId cc = _commit(id, carol);
        vm.roll(block.number + 1);
        _reveal(cc, id, carol);
        _reveal(a, id, alice);
        _postRoots(id, wrong);
        _select(cc, carol, 2, wrong);
        _revealWhole(cc, 2, wrong);
        _prove(cc, carol, wrong, _honest(), 2, 0);
        _select(a, alice, 2, wrong);
        _revealWhole(a, 2, wrong);
        _prove(a, alice, wrong, _honest(), 2, 0);
        assertEq(ChallengeId.unwrap(game.disputeOf(id).winner), ChallengeId.unwrap(a));
        assertEq(_claimable(alice), BOND + COLLATERAL / 2);
        assertEq(_claimable(carol), BOND);
    }

    // ================================================================== 2. response window

    /// @notice The attacker registers a model with a 1-second response window, so that no
    ///         provider could post its roots in time. The registry refuses it; at the protocol
    ///         minimum the honest provider has the whole minimum to answer a challenge.
    function test_attack2_responseWindowBelowTheMinimum_cannotBeRegistered() public {
        ModelSpec memory spec = DisputeData.modelSpec(WINDOW, 1, COLLATERAL, BOND);
        vm.expectRevert(
            abi.encodeWithSelector(
                IModelRegistry.ResponseWindowOutOfRange.selector,
                Duration.wrap(1),
                Duration.wrap(MIN_RESPONSE_WINDOW),
                Duration.wrap(MAX_RESPONSE_WINDOW)
            )
        );
        registry.register(spec);
        spec.params.responseWindow = Duration.wrap(MIN_RESPONSE_WINDOW - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IModelRegistry.ResponseWindowOutOfRange.selector,
                Duration.wrap(MIN_RESPONSE_WINDOW - 1),
                Duration.wrap(MIN_RESPONSE_WINDOW),
                Duration.wrap(MAX_RESPONSE_WINDOW)
            )
        );
        registry.register(spec);
        assertEq(stakes.minResponseWindow().raw(), MIN_RESPONSE_WINDOW);

        // At the minimum: the attacker challenges an honest job; the provider posts its roots at
        // the last second of the window and the attacker's timeout is refused.
        spec.params.responseWindow = Duration.wrap(MIN_RESPONSE_WINDOW);
        ModelId fast = registry.register(spec);
        DisputeData.Run memory r = _honest();
        vm.prank(requester);
        JobId id = jobs.request(fast, r.input, FEE, Timestamp.wrap(uint64(block.timestamp) + 1 hours), false);
        vm.prank(provider);
        jobs.commit(id, r.outputRoot, r.output);
        bytes32 commitment = _commitment(id, bob, _salt(bob));
        vm.prank(bob);
        ChallengeId c = game.commitChallenge(fast, commitment);
        vm.roll(block.number + 1);
        _reveal(c, id, bob);
        uint64 deadline = _deadline(c);
        assertEq(deadline, block.timestamp + MIN_RESPONSE_WINDOW);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.DeadlineNotReached.selector, c, deadline));
        game.timeout(c);
        _postRoots(id, r);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.AwaitNode));
    }

    // ================================================================== 3. slot filling

    /// @dev A wrong job, `sybils` challenges of the cheater revealed first, then Alice's. The
    ///      cheater posts consistent roots and never moves again: every sybil misses its node
    ///      selection and loses its bond to the pot; Alice's challenge wins when the provider
    ///      misses its reveal, which settles the job. Returns the gas of that settling call,
    ///      measured with the protocol's storage cold.
    function _slotFill(uint256 sybils) internal returns (uint256 settleGas, JobId id, ChallengeId a) {
        DisputeData.Run memory wrong = _wrong();
        id = _job(wrong);
        ChallengeId[] memory s = new ChallengeId[](sybils);
        for (uint256 i; i < sybils; ++i) s[i] = _commit(id, cheater);
        vm.roll(block.number + 1);
        for (uint256 i; i < sybils; ++i) _reveal(s[i], id, cheater);
        // The honest reveal is accepted however many challenges are open.
        a = _commit(id, alice);
        vm.roll(block.number + 1);
        _reveal(a, id, alice);
        assertEq(game.disputeOf(id).open, sybils + 1);

        _postRoots(id, wrong);
        vm.warp(block.timestamp + 30);
        _select(a, alice, 2, wrong);
        // The sybils miss their node selection: lost, their bonds in the pot.
        vm.warp(_deadline(s[0]) + 1);
        for (uint256 i; i < sybils; ++i) game.timeout(s[i]);
        IDisputeGame.Dispute memory d = game.disputeOf(id);
        assertEq(d.open, 1);
        assertEq(d.pot, sybils * BOND);
        assertFalse(d.fraud);
        // The provider misses its reveal: Alice wins, and the job is settled in the same call.
        vm.warp(_deadline(a) + 1);
        _coolProtocol();
        uint256 g = gasleft();
        game.timeout(a);
        settleGas = g - gasleft();
        d = game.disputeOf(id);
        assertTrue(d.settled);
        assertEq(ChallengeId.unwrap(d.winner), ChallengeId.unwrap(a));
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    /// @dev Every slot of the protocol's contracts cold, as at the start of a transaction.
    function _coolProtocol() internal {
        vm.cool(address(game));
        vm.cool(address(jobs));
        vm.cool(address(stakes));
        vm.cool(address(token));
        vm.cool(address(registry));
    }

    function _assertSlotFillFails(uint256 sybils) internal {
        aliceStart = _worth(alice);
        uint256 cheaterStart = _worth(cheater);
        (, JobId id, ) = _slotFill(sybils);
        // Alice: her bond back, the bounty and every sybil's lost bond (the pot).
        assertEq(_claimable(alice), BOND + COLLATERAL / 2 + sybils * BOND);
        assertEq(_worth(alice), aliceStart + COLLATERAL / 2 + sybils * BOND);
        assertEq(cheaterStart - _worth(cheater), sybils * BOND, "the sybils lost every bond");
        assertEq(game.disputeOf(id).pot, 0);
        assertEq(_withdraw(alice), BOND + COLLATERAL / 2 + sybils * BOND);
    }

    /// @notice 16 sybil challenges (the old cap) no longer keep the watcher out.
    function test_attack3_sixteenSybils_theHonestRevealSucceeds_andWinsBountyAndPot() public {
        _assertSlotFillFails(16);
    }

    /// @notice Nor do 64.
    function test_attack3_sixtyFourSybils_theHonestRevealSucceeds_andWinsBountyAndPot() public {
        _assertSlotFillFails(64);
    }

    /// @notice The gas of the settling call is the same with 1 sybil and with 64.
    function test_attack3_settlementGas_doesNotGrowWithTheSybils() public {
        uint256 snapshot = vm.snapshotState();
        (uint256 one, , ) = _slotFill(1);
        vm.revertToState(snapshot);
        (uint256 sixtyFour, , ) = _slotFill(64);
        console.log("settling timeout, 1 sybil:  ", one);
        console.log("settling timeout, 64 sybils:", sixtyFour);
        assertEq(one, sixtyFour, "settlement gas depends on the number of challenges");
    }

    /// @notice A contract keeps 16 challenges open by timing one out and revealing the next in the
    ///         same transaction, so the count never drops. Alice's reveal is still accepted, she
    ///         wins, no new sybil can be revealed after the fraud, and the job is slashed.
    function test_attack3_timeoutAndRevealInOneTransaction_cannotLockTheJob() public {
        DisputeData.Run memory wrong = _wrong();
        JobId id = _job(wrong);
        SlotFiller filler = new SlotFiller(game, token);
        token.mint(address(filler), 100 * BOND);
        bytes32 h = _commitmentHash(id);
        bytes32 salt = keccak256("filler");
        bytes32 commitment = keccak256(abi.encode(JobId.unwrap(id), h, address(filler), salt));
        ChallengeId[] memory s = new ChallengeId[](24);
        for (uint256 i; i < 24; ++i) s[i] = filler.commit(model, commitment);
        vm.roll(block.number + 1);
        for (uint256 i; i < 16; ++i) filler.reveal(s[i], id, h, salt);
        _postRoots(id, wrong);
        // Each missed node selection is swapped for a fresh challenge in one transaction.
        vm.warp(_deadline(s[0]) + 1);
        for (uint256 i; i < 4; ++i) filler.cycle(s[i], s[16 + i], id, h, salt);
        assertEq(game.disputeOf(id).open, 16, "the count never dropped");

        ChallengeId a = _commit(id, alice);
        vm.roll(block.number + 1);
        _reveal(a, id, alice);
        assertEq(game.disputeOf(id).open, 17);
        _select(a, alice, 2, wrong);
        _revealWhole(a, 2, wrong);
        _prove(a, alice, wrong, _honest(), 2, 0);
        // Fraud is established: the swap reverts, its reveal is refused.
        vm.warp(_deadline(s[4]) + 1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.JobNotChallengeable.selector, id));
        filler.cycle(s[4], s[20], id, h, salt);
        // Every open sybil is older than Alice's challenge: each has missed its move and loses.
        for (uint256 i = 4; i < 20; ++i) {
            IDisputeGame.Phase p = game.phaseOf(s[i]);
            if (p != IDisputeGame.Phase.Resolved) {
                vm.warp(_deadline(s[i]) + 1);
                game.timeout(s[i]);
            }
        }
        assertTrue(game.disputeOf(id).settled);
        // Alice: bond, bounty and the 20 lost bonds (4 swapped out, 16 left); the four unrevealed
        // commitments are forfeited.
        assertEq(_claimable(alice), BOND + COLLATERAL / 2 + 20 * BOND);
        vm.roll(block.number + REVEAL_WINDOW);
        for (uint256 i = 20; i < 24; ++i) game.forfeitCommitment(s[i]);
        assertEq(_claimable(treasury), (COLLATERAL * 2) / 10 + 4 * BOND);
    }

    // ================================================================== 4. reverting recipients

    /// @notice The requester and the winner cannot receive tokens (the token blocks them; the
    ///         requester is also a contract whose callback reverts). The slash goes through all the
    ///         same; the treasury withdraws; the winner withdraws to another address; the requester
    ///         withdraws once the token lets it.
    function test_attack4_blockedRequesterAndWinner_cannotBlockTheSlash() public {
        DisputeData.Run memory wrong = _wrong();
        RevertingConsumer consumer = new RevertingConsumer(jobs);
        token.mint(address(consumer), FEE);
        JobId id = consumer.requestJob(model, wrong.input, FEE, Timestamp.wrap(uint64(block.timestamp) + 1 hours));
        vm.prank(provider);
        jobs.commit(id, wrong.outputRoot, wrong.output);
        ChallengeId a = _challenge(id, alice);
        token.setBlocked(address(consumer), true);
        token.setBlocked(alice, true);

        vm.warp(_deadline(a) + 1);
        vm.expectEmit(address(jobs));
        emit IJobManager.CallbackFailed(id, address(consumer));
        game.timeout(a);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed), "slashed");
        assertEq(_claimable(alice), BOND + COLLATERAL / 2);
        assertEq(_claimable(address(consumer)), FEE + (COLLATERAL * 3) / 10);
        assertEq(_claimable(treasury), (COLLATERAL * 2) / 10);

        // Each withdraws, or not, on its own.
        assertEq(_withdraw(treasury), (COLLATERAL * 2) / 10);
        vm.expectRevert(abi.encodeWithSelector(BlocklistToken.Blocked.selector, alice));
        vm.prank(alice);
        game.withdraw();
        assertEq(_claimable(alice), BOND + COLLATERAL / 2, "a failed withdrawal keeps the balance");
        address aliceCold = makeAddr("alice's other address");
        vm.prank(alice);
        game.withdrawTo(aliceCold);
        assertEq(token.balanceOf(aliceCold), BOND + COLLATERAL / 2);
        vm.expectRevert(abi.encodeWithSelector(BlocklistToken.Blocked.selector, address(consumer)));
        vm.prank(address(consumer));
        game.withdraw();
        token.setBlocked(address(consumer), false);
        assertEq(_withdraw(address(consumer)), FEE + (COLLATERAL * 3) / 10);
        assertEq(token.balanceOf(address(game)), 0);
    }

    /// @notice A blocked provider cannot hold up a release either: the pot of lost bonds is
    ///         credited to it, not pushed.
    function test_attack4_blockedProvider_cannotBlockARelease() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        ChallengeId c = _challenge(id, bob);
        _postRoots(id, r);
        token.setBlocked(provider, true);
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        vm.warp(Timestamp.unwrap(game.disputeOf(id).graceEnd));
        game.settle(id);
        assertFalse(_jobOf(id).frozen);
        assertEq(_claimable(provider), BOND);
    }

    // ================================================================== 5. commitBatch race

    /// @notice A rival provider commits one job of the provider's batch first. The batch commits
    ///         the others, skips that one with `CommitSkipped`, and locks collateral for the jobs
    ///         it committed only.
    function test_attack5_aBatchWithOneJobTakenFirst_commitsTheOthers() public {
        address rival = makeAddr("rival provider");
        _fund(rival, address(stakes), 1_000e18);
        vm.prank(rival);
        stakes.deposit(1_000e18);
        DisputeData.Run memory r = _honest();
        IJobManager.Commit[] memory batch = new IJobManager.Commit[](4);
        for (uint256 i; i < 4; ++i) {
            vm.prank(requester);
            JobId id = jobs.request(model, r.input, FEE, Timestamp.wrap(uint64(block.timestamp) + 1 hours), false);
            batch[i] = IJobManager.Commit({jobId: id, outputRoot: r.outputRoot, output: r.output});
        }
        vm.prank(rival);
        jobs.commit(batch[1].jobId, r.outputRoot, r.output);

        (, uint256 lockedBefore, , ) = stakes.stakeOf(provider);
        vm.expectEmit(address(jobs));
        emit IJobManager.CommitSkipped(batch[1].jobId, IJobManager.SkipReason.AlreadyCommitted);
        vm.prank(provider);
        jobs.commitBatch(batch);
        for (uint256 i; i < 4; ++i) {
            IJobManager.Job memory j = jobs.jobOf(batch[i].jobId);
            assertEq(uint8(j.status), uint8(JobStatus.Committed));
            assertEq(j.provider, i == 1 ? rival : provider);
        }
        (, uint256 lockedAfter, , ) = stakes.stakeOf(provider);
        assertEq(lockedAfter - lockedBefore, 3 * COLLATERAL);
    }

    function _assertOutcome(ChallengeId c, IDisputeGame.Outcome o) internal view {
        assertEq(uint8(game.challengeOf(c).outcome), uint8(o));
    }
}
