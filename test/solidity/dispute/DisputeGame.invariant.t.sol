// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ChallengeId, IDisputeGame} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {JobId, JobStatus} from "../../../contracts/libraries/Types.sol";
import {DisputeFixture} from "./DisputeFixture.sol";
import {DisputeHandler} from "./DisputeHandler.sol";

/// @notice Providers (honest and faulty), honest challengers, a griefer, a blind pre-committer,
///         a slot filler contract, recipients the token blocks, and the clock act in random
///         order on the real contracts; after every action every token is in a stake, a fee
///         escrow, a bond, a pot or a claimable balance, every job's status only moved forward,
///         the bounty went to the lowest won challenge, no move was accepted after its deadline
///         and no honest move or reveal was refused.
contract DisputeGameInvariantTest is DisputeFixture {
    DisputeHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = _newHandler();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](20);
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
        selectors[10] = DisputeHandler.slotFillerCycle.selector;
        selectors[11] = DisputeHandler.forfeit.selector;
        selectors[12] = DisputeHandler.reclaim.selector;
        selectors[13] = DisputeHandler.moot.selector;
        selectors[14] = DisputeHandler.withdraw.selector;
        selectors[15] = DisputeHandler.toggleBlocked.selector;
        selectors[16] = DisputeHandler.copierMove.selector;
        selectors[17] = DisputeHandler.slotFillerCommit.selector;
        selectors[18] = DisputeHandler.preCommitterReveal.selector;
        selectors[19] = DisputeHandler.skipBlocks.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @notice The handler can play a whole dispute (so the fuzzer has a path to every move):
    ///         a wrong node 0 found by the k-ary reveal, proven, slashed.
    function test_handler_playsAWholeDisputeToTheSlash() public {
        handler.newJob(11, 7); // odd: faulty; 7 >> 1 = 3 → Flipped0
        handler.commitChallenge(0, 0);
        handler.revealChallenge(0);
        assertEq(handler.honestReveals(), 1);
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

    /// @notice The handler's new actors can each play their part: the pre-committer copies an
    ///         honest reveal and its moves, the slot filler swaps one challenge for the next in one
    ///         transaction, and commitments are forfeited and reclaimed by the rules.
    function test_handler_playsTheNewActors() public {
        handler.newJob(11, 7); // faulty (Flipped0): the pre-committer commits on it at once
        handler.preCommitterReveal(0); // nothing to copy yet: it keeps its commitment
        assertEq(handler.copiedReveals(), 0);
        handler.commitChallenge(0, 0); // alice
        handler.slotFillerCommit(0, 2); // two slot-filler commitments
        handler.revealChallenge(0); // alice (pending: [alice, sf, sf])
        assertEq(handler.honestReveals(), 1);
        handler.preCommitterReveal(0); // the pre-committer copies the reveal
        assertEq(handler.copiedReveals(), 1);
        handler.revealChallenge(0); // a slot-filler challenge
        handler.providerMove(0); // roots
        handler.skipTime(20 minutes); // past the node-selection deadlines
        handler.slotFillerCycle(0, 0); // timeout(its old challenge) + reveal(its next) in one tx
        assertEq(handler.cycles(), 1);
        handler.toggleBlocked(0); // the requester can no longer receive tokens
        handler.skipTime(20 minutes);
        handler.timeout(0);
        handler.timeout(1);
        handler.timeout(2);
        handler.timeout(3);
        handler.moot(0);
        handler.forfeit(0);
        handler.withdraw(6); // the blocked requester's withdrawal fails, and nothing else does
        assertEq(handler.honestRefused(), 0);
        assertEq(handler.ruleBroken(), 0);
    }

    /// @notice Conservation: the game holds exactly the bonds of its live commitments and open
    ///         challenges, the pots and the claimable balances; the protocol as a whole holds
    ///         exactly the stakes, the escrowed fees and what the game holds.
    function invariant_conservation() public view {
        uint256 bonds;
        uint256 n = game.challengeCount();
        for (uint256 i = 1; i <= n; ++i) {
            IDisputeGame.Phase p = game.phaseOf(ChallengeId.wrap(i));
            if (p >= IDisputeGame.Phase.Committed && p < IDisputeGame.Phase.Resolved) {
                bonds += game.challengeOf(ChallengeId.wrap(i)).bond;
            }
        }
        uint256 fees;
        uint256 pots;
        uint256 jobCount = jobs.jobCount();
        for (uint256 i = 1; i <= jobCount; ++i) {
            IJobManager.Job memory j = jobs.jobOf(JobId.wrap(i));
            if (j.status == JobStatus.Requested || j.status == JobStatus.Committed) fees += j.fee;
            pots += game.disputeOf(JobId.wrap(i)).pot;
        }
        uint256 claims;
        address[] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) claims += game.claimable(accounts[i]);
        assertEq(token.balanceOf(address(game)), bonds + pots + claims, "game balance != bonds + pots + claimable");
        assertEq(
            token.balanceOf(address(stakes)) + token.balanceOf(address(jobs)) + token.balanceOf(address(game)),
            stakes.totalStaked() + fees + bonds + pots + claims,
            "protocol balance != stakes + fees + bonds + pots + claimable"
        );
    }

    /// @notice The bounty goes to the won challenge with the lowest id; a slash happens only with
    ///         every challenge of the job closed; a fraudulent job takes no more reveals.
    function invariant_bountyToTheLowestWinner() public view {
        uint256 n = jobs.jobCount();
        for (uint256 i = 1; i <= n; ++i) {
            IDisputeGame.Dispute memory d = game.disputeOf(JobId.wrap(i));
            uint256 lowestWon;
            uint256 lowestRevealed;
            for (uint256 k; k < d.challenges.length; ++k) {
                uint256 c = ChallengeId.unwrap(d.challenges[k]);
                if (lowestRevealed == 0 || c < lowestRevealed) lowestRevealed = c;
                if (game.challengeOf(d.challenges[k]).outcome != IDisputeGame.Outcome.Won) continue;
                if (lowestWon == 0 || c < lowestWon) lowestWon = c;
            }
            assertEq(ChallengeId.unwrap(d.firstRevealed), lowestRevealed, "firstRevealed != lowest revealed id");
            assertEq(ChallengeId.unwrap(d.winner), lowestWon, "winner != lowest won id");
            assertEq(d.fraud, lowestWon != 0, "fraud without a win, or a win without fraud");
            if (d.settled) assertEq(d.open, 0, "settled with a challenge open");
        }
    }

    /// @notice Moots, forfeits and reclaims follow the rules of docs/PROTOCOL.md §9.1 and §9.4.
    function invariant_commitmentRules() public view {
        assertEq(handler.ruleBroken(), 0, "a moot, forfeit or reclaim against the rules");
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
