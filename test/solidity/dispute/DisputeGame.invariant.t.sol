// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ChallengeId, IDisputeGame} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {JobId, JobStatus} from "../../../contracts/libraries/Types.sol";
import {DisputeFixture} from "./DisputeFixture.sol";
import {DisputeHandler} from "./DisputeHandler.sol";

/// @notice Providers (honest and faulty), honest challengers, a griefer and the clock act in
///         random order on the real contracts; after every action the books balance, every
///         job's status only moved forward, no move was accepted after its deadline and no
///         honest move was refused.
contract DisputeGameInvariantTest is DisputeFixture {
    DisputeHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = _newHandler();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = DisputeHandler.newJob.selector;
        selectors[1] = DisputeHandler.commitChallenge.selector;
        selectors[2] = DisputeHandler.revealChallenge.selector;
        selectors[3] = DisputeHandler.providerMove.selector;
        selectors[4] = DisputeHandler.honestMove.selector;
        selectors[5] = DisputeHandler.grieferMove.selector;
        selectors[6] = DisputeHandler.timeout.selector;
        selectors[7] = DisputeHandler.lateMove.selector;
        selectors[8] = DisputeHandler.settleOrFinalize.selector;
        selectors[9] = DisputeHandler.skipTime.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @notice The handler can play a whole dispute (so the fuzzer has a path to every move):
    ///         a wrong node 0 found by the k-ary reveal, proven, slashed.
    function test_handler_playsAWholeDisputeToTheSlash() public {
        handler.newJob(11, 7); // odd: faulty; 7 >> 1 = 3 → Flipped0
        handler.commitChallenge(0, 0);
        handler.revealChallenge(0);
        handler.providerMove(0); // roots
        handler.honestMove(0); // select node 0
        for (uint256 round; round < 2; ++round) {
            handler.providerMove(0); // children
            handler.honestMove(0); // choose
        }
        handler.honestMove(0); // prove
        assertEq(uint8(jobs.jobOf(handler.jobIds(0)).status), uint8(JobStatus.Slashed));
        assertEq(handler.movesPlayed(), 7);
        assertEq(handler.honestRefused(), 0);
    }

    /// @notice Solvency: the protocol holds exactly stakes + escrowed fees + open bonds, and the
    ///         game exactly the bonds of its open challenges.
    function invariant_solvency() public view {
        uint256 bonds;
        uint256 n = game.challengeCount();
        for (uint256 i = 1; i <= n; ++i) {
            IDisputeGame.Phase p = game.phaseOf(ChallengeId.wrap(i));
            if (p >= IDisputeGame.Phase.AwaitRoots && p < IDisputeGame.Phase.Resolved) {
                bonds += game.challengeOf(ChallengeId.wrap(i)).bond;
            }
        }
        uint256 fees;
        uint256 jobCount = jobs.jobCount();
        for (uint256 i = 1; i <= jobCount; ++i) {
            IJobManager.Job memory j = jobs.jobOf(JobId.wrap(i));
            if (j.status == JobStatus.Requested || j.status == JobStatus.Committed) fees += j.fee;
        }
        assertEq(token.balanceOf(address(game)), bonds, "game balance != open bonds");
        assertEq(
            token.balanceOf(address(stakes)) + token.balanceOf(address(jobs)) + token.balanceOf(address(game)),
            stakes.totalStaked() + fees + bonds,
            "protocol balance != stakes + fees + bonds"
        );
    }

    /// @notice A job resolves exactly once, and only forward; a dispute settles exactly with its slash.
    function invariant_jobsResolveOnce() public view {
        assertEq(handler.backwards(), 0, "a resolved job changed status");
        uint256 finalized;
        uint256 slashed;
        uint256 n = jobs.jobCount();
        for (uint256 i = 1; i <= n; ++i) {
            JobId id = JobId.wrap(i);
            IJobManager.Job memory j = jobs.jobOf(id);
            IDisputeGame.Dispute memory d = game.disputeOf(id);
            if (j.status == JobStatus.Finalized) ++finalized;
            if (j.status == JobStatus.Slashed) ++slashed;
            assertEq(d.settled, j.status == JobStatus.Slashed, "settled without a slash, or slashed without settling");
            if (d.open > 0) assertTrue(j.frozen && j.status == JobStatus.Committed, "open dispute on a free job");
        }
        assertEq(handler.finalizations(), finalized, "a job finalized twice");
        assertEq(handler.slashes(), slashed, "a job slashed twice");
    }

    /// @notice No move after its deadline, no timeout before it, no honest move refused.
    function invariant_deadlinesHold() public view {
        assertEq(handler.lateAccepted(), 0, "a move was accepted after its deadline");
        assertEq(handler.earlyTimeouts(), 0, "a timeout was accepted before the deadline");
        assertEq(handler.honestRefused(), 0, "a move in time by an honest party was refused");
    }
}
