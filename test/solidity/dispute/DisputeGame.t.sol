// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {DisputeGame} from "../../../contracts/DisputeGame.sol";
import {ChallengeId, IDisputeGame} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IDisputeHook} from "../../../contracts/interfaces/IDisputeHook.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {IModelRegistry} from "../../../contracts/interfaces/IModelRegistry.sol";
import {IFloatStepVerifier} from "../../../contracts/interfaces/IFloatStepVerifier.sol";
import {IOneStepVerifier} from "../../../contracts/interfaces/IOneStepVerifier.sol";
import {Graph, NodeDescriptor, Operand} from "../../../contracts/libraries/Graph.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {JobId, JobStatus, ModelId, ModelSpec, TensorSpec, Timestamp} from "../../../contracts/libraries/Types.sol";
import {FloatPolicy} from "../../../contracts/ops/float/FloatPolicy.sol";
import {DisputeData, DisputeProofs, Trees} from "./DisputeData.sol";
import {DisputeFixture} from "./DisputeFixture.sol";

/// @notice Every external function of the DisputeGame: its success path and each revert,
///         on the real contracts and the three-node graph of DisputeData (docs/PROTOCOL.md §9).
contract DisputeGameTest is DisputeFixture {
    uint256 internal constant SEED = 7;

    function _honest() internal pure returns (DisputeData.Run memory) {
        return DisputeData.run(SEED, DisputeData.Fault.None);
    }

    function _faulty(DisputeData.Fault f) internal pure returns (DisputeData.Run memory) {
        return DisputeData.run(SEED, f);
    }

    function _expect(bytes memory err) internal {
        vm.expectRevert(err);
    }

    function _wrongPhase(ChallengeId c, IDisputeGame.Phase p) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IDisputeGame.WrongPhase.selector, c, p);
    }

    function _deadlinePassed(ChallengeId c, uint64 d) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IDisputeGame.DeadlinePassed.selector, c, d);
    }

    function _assertResolved(ChallengeId c, IDisputeGame.Outcome o, IDisputeGame.Reason r) internal view {
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        assertEq(uint8(ch.phase), uint8(IDisputeGame.Phase.Resolved), "not resolved");
        assertEq(uint8(ch.outcome), uint8(o), "outcome");
        assertEq(uint8(ch.reason), uint8(r), "reason");
    }

    /// @dev A job of run `r` challenged by alice, roots posted: alice's turn to select a node.
    function _atAwaitNode(DisputeData.Run memory r) internal returns (JobId id, ChallengeId c) {
        id = _job(r);
        c = _challenge(id, alice);
        _postRoots(id, r);
    }

    // ================================================================== constructor

    function test_constructor_zeroAddress_reverts() public {
        vm.expectRevert(IDisputeGame.ZeroAddress.selector);
        new DisputeGame(jobs, registry, verifier, floatVerifier, address(0), REVEAL_WINDOW);
        vm.expectRevert(IDisputeGame.ZeroAddress.selector);
        new DisputeGame(jobs, IModelRegistry(address(0)), verifier, floatVerifier, treasury, REVEAL_WINDOW);
        vm.expectRevert(IDisputeGame.ZeroAddress.selector);
        new DisputeGame(jobs, registry, IOneStepVerifier(address(0)), floatVerifier, treasury, REVEAL_WINDOW);
        vm.expectRevert(IDisputeGame.ZeroAddress.selector);
        new DisputeGame(jobs, registry, verifier, IFloatStepVerifier(address(0)), treasury, REVEAL_WINDOW);
        vm.expectRevert(IDisputeGame.ZeroAddress.selector);
        new DisputeGame(IJobManager(address(0)), registry, verifier, floatVerifier, treasury, REVEAL_WINDOW);
    }

    function test_constructor_zeroRevealWindow_reverts() public {
        vm.expectRevert(IDisputeGame.ZeroRevealWindow.selector);
        new DisputeGame(jobs, registry, verifier, floatVerifier, treasury, 0);
    }

    function test_constructor_wiresTheProtocol() public view {
        assertEq(address(game.jobManager()), address(jobs));
        assertEq(address(game.registry()), address(registry));
        assertEq(address(game.verifier()), address(verifier));
        assertEq(address(game.token()), address(token));
        assertEq(game.treasury(), treasury);
        assertEq(game.revealWindow(), REVEAL_WINDOW);
    }

    // ================================================================== commitChallenge

    function test_commitChallenge_float32Model_holdsTheBond() public {
        // A float32 model (strict fp32 policy) is disputable like any other: its one-step proofs
        // are judged by the float verifier (docs/PROTOCOL.md §11.10), so the bond is taken as usual.
        ModelSpec memory s = DisputeData.modelSpec(WINDOW, RESPONSE, COLLATERAL, BOND);
        s.profile = 2;
        s.policyHash = FloatPolicy.hash(FloatPolicy.strictFp32());
        s.input = TensorSpec({dtype: 1, layout: 0, shape: new uint32[](1)});
        s.input.shape[0] = 4;
        s.output = TensorSpec({dtype: 1, layout: 0, shape: new uint32[](1)});
        s.output.shape[0] = 2;
        ModelId floatModel = registry.register(s);
        (uint8 profile, bytes32 policyHash) = registry.numericsOf(floatModel);
        assertEq(profile, 2);
        assertEq(policyHash, FloatPolicy.hash(FloatPolicy.strictFp32()));
        (profile, policyHash) = registry.numericsOf(model);
        assertEq(profile, 1);
        assertEq(policyHash, bytes32(0));
        uint256 before = token.balanceOf(alice);
        vm.prank(alice);
        game.commitChallenge(floatModel, bytes32("a"));
        assertEq(token.balanceOf(alice), before - BOND);
        assertEq(game.challengeCount(), 1);
    }

    function test_commitChallenge_issuesIdsInCommitOrder() public {
        vm.prank(alice);
        ChallengeId a = game.commitChallenge(model, bytes32("a"));
        vm.prank(bob);
        ChallengeId b = game.commitChallenge(model, bytes32("b"));
        assertEq(ChallengeId.unwrap(a), 1);
        assertEq(ChallengeId.unwrap(b), 2);
        assertEq(game.challengeCount(), 2);
        IDisputeGame.Challenge memory c = game.challengeOf(b);
        assertEq(c.challenger, bob);
        assertEq(c.commitBlock, block.number);
        assertEq(c.commitment, bytes32("b"));
        assertEq(ModelId.unwrap(c.modelId), ModelId.unwrap(model));
        assertEq(c.bond, BOND);
        assertEq(c.responseWindow.raw(), RESPONSE);
        assertEq(uint8(c.phase), uint8(IDisputeGame.Phase.Committed));
    }

    function test_commitChallenge_emitsChallengeCommitted_andPullsTheBond() public {
        uint256 before = token.balanceOf(alice);
        vm.expectEmit(address(game));
        emit IDisputeGame.ChallengeCommitted(ChallengeId.wrap(1), alice, model, bytes32("x"), BOND);
        vm.prank(alice);
        game.commitChallenge(model, bytes32("x"));
        assertEq(token.balanceOf(alice), before - BOND);
        assertEq(token.balanceOf(address(game)), BOND);
    }

    function test_commitChallenge_unknownModel_reverts() public {
        ModelId unknown = ModelId.wrap(keccak256("no such model"));
        _expect(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, unknown));
        vm.prank(alice);
        game.commitChallenge(unknown, bytes32("x"));
    }

    function test_commitChallenge_withoutAllowance_reverts() public {
        address carol = makeAddr("carol");
        token.mint(carol, BOND);
        vm.expectPartialRevert(IERC20Errors.ERC20InsufficientAllowance.selector);
        vm.prank(carol);
        game.commitChallenge(model, bytes32("x"));
    }

    // ================================================================== revealChallenge

    function test_revealChallenge_freezesJobAndStartsTheRootsClock_andTakesNoMoreBond() public {
        JobId id = _job(_honest());
        ChallengeId c = _commit(id, alice);
        vm.roll(block.number + 1);
        bytes32 h = _commitmentHash(id);
        uint256 before = token.balanceOf(alice);
        vm.expectEmit(address(game));
        emit IDisputeGame.ChallengeRevealed(c, id, alice, h, BOND);
        vm.prank(alice);
        game.revealChallenge(c, id, h, _salt(alice));

        assertEq(token.balanceOf(alice), before, "the bond was taken at commit");
        assertEq(token.balanceOf(address(game)), BOND);
        assertTrue(_jobOf(id).frozen);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.AwaitRoots));
        assertEq(_deadline(c), block.timestamp + RESPONSE);
        IDisputeGame.Dispute memory d = game.disputeOf(id);
        assertEq(Timestamp.unwrap(d.rootsDeadline), block.timestamp + RESPONSE);
        assertEq(d.open, 1);
        assertEq(ChallengeId.unwrap(d.challenges[0]), ChallengeId.unwrap(c));
        assertEq(ChallengeId.unwrap(d.firstRevealed), ChallengeId.unwrap(c));
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        assertEq(JobId.unwrap(ch.jobId), JobId.unwrap(id));
        assertEq(ch.bond, BOND);
        assertEq(Timestamp.unwrap(ch.revealedAt), block.timestamp);
    }

    function test_revealChallenge_unknownChallenge_reverts() public {
        _expect(abi.encodeWithSelector(IDisputeGame.UnknownChallenge.selector, ChallengeId.wrap(9)));
        game.revealChallenge(ChallengeId.wrap(9), JobId.wrap(1), bytes32(0), bytes32(0));
    }

    function test_revealChallenge_twice_reverts() public {
        JobId id = _job(_honest());
        ChallengeId c = _challenge(id, alice);
        bytes32 h = _commitmentHash(id);
        _expect(_wrongPhase(c, IDisputeGame.Phase.AwaitRoots));
        vm.prank(alice);
        game.revealChallenge(c, id, h, _salt(alice));
    }

    function test_revealChallenge_byAnotherAccount_reverts() public {
        JobId id = _job(_honest());
        ChallengeId c = _commit(id, alice);
        vm.roll(block.number + 1);
        bytes32 h = _commitmentHash(id);
        _expect(abi.encodeWithSelector(IDisputeGame.NotChallenger.selector, c, bob));
        vm.prank(bob);
        game.revealChallenge(c, id, h, _salt(alice));
    }

    function test_revealChallenge_inTheCommitBlock_reverts() public {
        JobId id = _job(_honest());
        ChallengeId c = _commit(id, alice);
        _revealReverts(
            c,
            id,
            alice,
            abi.encodeWithSelector(IDisputeGame.RevealTooEarly.selector, c, uint64(block.number))
        );
    }

    function test_revealChallenge_lastBlockOfTheRevealWindow_succeeds_andAfterIt_reverts() public {
        JobId id = _job(_honest());
        ChallengeId a = _commit(id, alice);
        ChallengeId b = _commit(id, bob);
        uint256 last = block.number + REVEAL_WINDOW;
        vm.roll(last);
        _reveal(a, id, alice);
        vm.roll(last + 1);
        _revealReverts(b, id, bob, abi.encodeWithSelector(IDisputeGame.RevealWindowPassed.selector, b, last));
    }

    function test_revealChallenge_jobOfAnotherModel_reverts() public {
        ModelId other = registry.register(DisputeData.modelSpec(WINDOW, RESPONSE, COLLATERAL, BOND * 2));
        JobId id = _job(_honest());
        bytes32 commitment = _commitment(id, alice, _salt(alice));
        vm.prank(alice);
        ChallengeId c = game.commitChallenge(other, commitment);
        vm.roll(block.number + 1);
        _revealReverts(c, id, alice, abi.encodeWithSelector(IDisputeGame.ModelMismatch.selector, c, other, model));
    }

    function test_revealChallenge_wrongSalt_reverts() public {
        JobId id = _job(_honest());
        ChallengeId c = _commit(id, alice);
        vm.roll(block.number + 1);
        bytes32 h = _commitmentHash(id);
        _expect(abi.encodeWithSelector(IDisputeGame.CommitmentMismatch.selector, c));
        vm.prank(alice);
        game.revealChallenge(c, id, h, bytes32("other salt"));
    }

    function test_revealChallenge_staleCommitmentHash_reverts() public {
        JobId id = _job(_honest());
        bytes32 stale = keccak256("a commitment the job does not have");
        bytes32 commitment = keccak256(abi.encode(JobId.unwrap(id), stale, alice, _salt(alice)));
        vm.prank(alice);
        ChallengeId c = game.commitChallenge(model, commitment);
        vm.roll(block.number + 1);
        bytes32 current = _commitmentHash(id);
        _expect(abi.encodeWithSelector(IDisputeGame.StaleCommitment.selector, id, stale, current));
        vm.prank(alice);
        game.revealChallenge(c, id, stale, _salt(alice));
    }

    function test_revealChallenge_uncommittedJob_reverts() public {
        DisputeData.Run memory r = _honest();
        vm.prank(requester);
        JobId id = jobs.request(model, r.input, FEE, Timestamp.wrap(uint64(block.timestamp) + 1 hours), false);
        bytes32 commitment = keccak256(abi.encode(JobId.unwrap(id), bytes32(0), alice, _salt(alice)));
        vm.prank(alice);
        ChallengeId c = game.commitChallenge(model, commitment);
        vm.roll(block.number + 1);
        _expect(abi.encodeWithSelector(IDisputeGame.JobNotChallengeable.selector, id));
        vm.prank(alice);
        game.revealChallenge(c, id, bytes32(0), _salt(alice));
    }

    function test_revealChallenge_lastSecondOfTheWindow_succeeds_andAtItsEnd_reverts() public {
        JobId id = _job(_honest());
        Timestamp windowEnd = _jobOf(id).windowEnd;
        ChallengeId a = _commit(id, alice);
        ChallengeId b = _commit(id, bob);
        vm.roll(block.number + 1);
        vm.warp(windowEnd.raw() - 1);
        _reveal(a, id, alice);
        // A failed challenge leaves no grace period here: settle the first one away first.
        _postRoots(id, _honest());
        vm.warp(_deadline(a) + 1);
        game.timeout(a);
        vm.warp(Timestamp.unwrap(game.disputeOf(id).graceEnd));
        game.settle(id);
        _revealReverts(b, id, bob, abi.encodeWithSelector(IDisputeGame.WindowClosed.selector, id, windowEnd));
    }

    function test_revealChallenge_atTheWindowEnd_reverts() public {
        JobId id = _job(_honest());
        Timestamp windowEnd = _jobOf(id).windowEnd;
        ChallengeId c = _commit(id, alice);
        vm.roll(block.number + 1);
        vm.warp(windowEnd.raw());
        _revealReverts(c, id, alice, abi.encodeWithSelector(IDisputeGame.WindowClosed.selector, id, windowEnd));
    }

    function test_revealChallenge_whileAChallengeIsOpenAfterTheWindow_succeeds() public {
        JobId id = _job(_honest());
        _challenge(id, alice);
        ChallengeId b = _commit(id, bob);
        vm.warp(_jobOf(id).windowEnd.raw() + 1);
        vm.roll(block.number + 1);
        _reveal(b, id, bob);
        assertEq(game.disputeOf(id).open, 2);
    }

    function test_revealChallenge_noCapOnOpenChallenges() public {
        JobId id = _job(_honest());
        ChallengeId[] memory ids = new ChallengeId[](40);
        for (uint256 i; i < 40; ++i) ids[i] = _commit(id, alice);
        vm.roll(block.number + 1);
        for (uint256 i = 40; i > 0; --i) _reveal(ids[i - 1], id, alice);
        IDisputeGame.Dispute memory d = game.disputeOf(id);
        assertEq(d.open, 40);
        assertEq(d.challenges.length, 40);
        assertEq(ChallengeId.unwrap(d.challenges[0]), ChallengeId.unwrap(ids[39]), "in reveal order");
        assertEq(ChallengeId.unwrap(d.firstRevealed), ChallengeId.unwrap(ids[0]), "the lowest id revealed");
    }

    function test_revealChallenge_afterFraudIsEstablished_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId b = _commit(id, bob);
        ChallengeId a = _challenge(id, alice);
        _postRoots(id, r);
        _select(a, alice, 2, r);
        _revealWhole(a, 2, r);
        _prove(a, alice, r, _honest(), 2, 0);
        _revealReverts(b, id, bob, abi.encodeWithSelector(IDisputeGame.JobNotChallengeable.selector, id));
    }

    // ================================================================== postRoots

    function test_postRoots_consistent_turnsEveryChallengeToAwaitNode() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        ChallengeId b = _challenge(id, bob);
        vm.expectEmit(address(game));
        emit IDisputeGame.RootsPosted(id, r.roots);
        _postRoots(id, r);
        assertEq(game.disputeOf(id).rootsHash, keccak256(abi.encodePacked(r.roots)));
        assertEq(uint8(_phase(a)), uint8(IDisputeGame.Phase.AwaitNode));
        assertEq(uint8(_phase(b)), uint8(IDisputeGame.Phase.AwaitNode));
        assertEq(Timestamp.unwrap(game.disputeOf(id).rootsPostedAt), block.timestamp);
        assertEq(_deadline(b), block.timestamp + RESPONSE);
    }

    function test_postRoots_atTheDeadline_succeeds() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        ChallengeId c = _challenge(id, alice);
        vm.warp(_deadline(c));
        _postRoots(id, r);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.AwaitNode));
    }

    function test_postRoots_afterTheDeadline_reverts() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        ChallengeId c = _challenge(id, alice);
        uint64 d = _deadline(c);
        vm.warp(d + 1);
        _expect(_deadlinePassed(ChallengeId.wrap(0), d));
        _postRoots(id, r);
    }

    function test_postRoots_notTheProvider_reverts() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        _challenge(id, alice);
        _expect(abi.encodeWithSelector(IDisputeGame.NotProvider.selector, id, bob));
        vm.prank(bob);
        game.postRoots(id, r.roots);
    }

    function test_postRoots_withoutDispute_reverts() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        _expect(abi.encodeWithSelector(IDisputeGame.NoDispute.selector, id));
        _postRoots(id, r);
    }

    function test_postRoots_twice_reverts() public {
        DisputeData.Run memory r = _honest();
        (JobId id, ) = _atAwaitNode(r);
        _expect(abi.encodeWithSelector(IDisputeGame.RootsAlreadyPosted.selector, id));
        _postRoots(id, r);
    }

    function test_postRoots_junkIntermediateRoots_areAccepted_andLoseAtTheFirstDivergence() public {
        // Only the output is committed, so the provider chooses its intermediate roots when it
        // posts them: here node 0 carries a flipped element, the last root the (wrong) committed
        // output. The honest challenger's first divergence is node 0, whose only input is the
        // job input: the one-step proof there slashes the provider.
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        DisputeData.Run memory wrong = _faulty(DisputeData.Fault.WrongOutput);
        (r.roots[2], r.tree2, r.output, r.outputRoot) = (wrong.roots[2], wrong.tree2, wrong.output, wrong.outputRoot);
        assertTrue(r.roots[0] != _honest().roots[0], "node 0 diverges");
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        _descendTo(c, alice, r, r.flipped);
        _prove(c, alice, r, _honest(), 0, r.flipped);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    function test_postRoots_junkRootWithoutData_losesOnTheRevealTimeout() public {
        // A made-up node root has no data behind it: the provider cannot open it.
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        r.roots[0] = keccak256("junk");
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        bytes32[] memory children = Trees.children(r.tree0, ch.anchorLevel, ch.anchorIndex);
        vm.expectPartialRevert(IDisputeGame.RevealMismatch.selector);
        vm.prank(provider);
        game.revealChildren(c, DisputeData.outSpec(0), Trees.root(r.tree0), children);
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.ProviderTimeout);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    function test_postRoots_wrongNumberOfRoots_reverts() public {
        // Two roots ending in the committed output: one per node is required.
        DisputeData.Run memory r = _honest();
        bytes32[] memory two = new bytes32[](2);
        (two[0], two[1]) = (r.roots[0], r.roots[2]);
        JobId id = _job(r);
        _challenge(id, alice);
        _expect(abi.encodeWithSelector(IDisputeGame.TraceMismatch.selector, id));
        vm.prank(provider);
        game.postRoots(id, two);
    }

    function test_postRoots_notEndingInTheCommittedOutput_reverts_andTheProviderTimesOut() public {
        // The committed output is not the last root of the provider's trace: it cannot post
        // that trace, misses the roots deadline and every challenge wins.
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Inconsistent);
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        ChallengeId b = _challenge(id, bob);
        _expect(abi.encodeWithSelector(IDisputeGame.RootsOutputMismatch.selector, id, r.outputRoot, r.roots[2]));
        _postRoots(id, r);
        assertEq(game.disputeOf(id).rootsHash, bytes32(0), "nothing posted");
        uint64 d = Timestamp.unwrap(game.disputeOf(id).rootsDeadline);
        vm.warp(d + 1);
        game.timeout(b);
        _assertResolved(a, IDisputeGame.Outcome.Won, IDisputeGame.Reason.ProviderTimeout);
        _assertResolved(b, IDisputeGame.Outcome.Moot, IDisputeGame.Reason.Superseded);
        IDisputeGame.Dispute memory dispute = game.disputeOf(id);
        assertTrue(dispute.fraud && dispute.settled);
        assertEq(ChallengeId.unwrap(dispute.winner), ChallengeId.unwrap(a), "the first committer wins");
        assertEq(_claimable(alice), BOND + COLLATERAL / 2);
        assertEq(_claimable(bob), BOND);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    function test_postRoots_fixedForEveryChallengeOfTheJob() public {
        // Alice disputes a node that matches and loses; bob's later challenge of the same job
        // plays against the roots posted for alice's: they can be neither re-posted nor swapped.
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (JobId id, ChallengeId a) = _atAwaitNode(r);
        bytes32 posted = keccak256(abi.encodePacked(r.roots));
        assertEq(game.disputeOf(id).rootsHash, posted);
        _select(a, alice, 1, r);
        _revealWhole(a, 1, r);
        _prove(a, alice, r, r, 1, 0);
        _assertResolved(a, IDisputeGame.Outcome.Lost, IDisputeGame.Reason.ElementMatches);

        ChallengeId b = _challenge(id, bob);
        assertEq(uint8(_phase(b)), uint8(IDisputeGame.Phase.AwaitNode), "no new roots are due");
        DisputeData.Run memory other = _faulty(DisputeData.Fault.Flipped0);
        (other.roots[2], other.tree2) = (r.roots[2], r.tree2);
        _expect(abi.encodeWithSelector(IDisputeGame.RootsAlreadyPosted.selector, id));
        _postRoots(id, other);
        _expect(abi.encodeWithSelector(IDisputeGame.TraceMismatch.selector, id));
        _select(b, bob, 0, other);
        assertEq(game.disputeOf(id).rootsHash, posted);

        _select(b, bob, 2, r);
        _revealWhole(b, 2, r);
        _expect(abi.encodeWithSelector(IDisputeGame.TraceMismatch.selector, id));
        _prove(b, bob, other, _honest(), 2, 0);
        _prove(b, bob, r, _honest(), 2, 0);
        _assertResolved(b, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
        assertEq(ChallengeId.unwrap(game.disputeOf(id).winner), ChallengeId.unwrap(b));
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    // ================================================================== selectNode

    function test_selectNode_smallNode_awaitsAWholeReveal() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        vm.expectEmit(address(game));
        emit IDisputeGame.NodeSelected(c, id, 2, 1);
        _select(c, alice, 2, r);
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        assertEq(uint8(ch.phase), uint8(IDisputeGame.Phase.AwaitWhole));
        assertEq(ch.nodeIndex, 2);
        assertEq(ch.wordCount, 1);
        assertEq(ch.byteLength, 8);
        assertEq(ch.nodeRoot, r.roots[2]);
        assertEq(ch.descriptorHash, Graph.descriptorHash(DisputeData.node(2)));
        assertEq(_deadline(c), block.timestamp + RESPONSE);
    }

    function test_selectNode_largeNode_awaitsChildren() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        assertEq(uint8(ch.phase), uint8(IDisputeGame.Phase.AwaitChildren));
        assertEq(ch.wordCount, 65);
        assertEq(ch.byteLength, DisputeData.L);
        assertEq(ch.anchorLevel, 7);
        assertEq(ch.anchorIndex, 0);
    }

    function test_selectNode_atTheDeadline_succeeds_andAfter_reverts() public {
        DisputeData.Run memory r = _honest();
        (JobId id, ChallengeId a) = _atAwaitNode(r);
        ChallengeId b = _challenge(id, bob);
        vm.warp(_deadline(a));
        _select(a, alice, 1, r);
        uint64 d = _deadline(b);
        vm.warp(d + 1);
        _expect(_deadlinePassed(b, d));
        _select(b, bob, 1, r);
    }

    function test_selectNode_beforeTheRoots_reverts() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        ChallengeId c = _challenge(id, alice);
        _expect(_wrongPhase(c, IDisputeGame.Phase.AwaitRoots));
        _select(c, alice, 1, r);
    }

    function test_selectNode_notTheChallenger_reverts() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        _expect(abi.encodeWithSelector(IDisputeGame.NotChallenger.selector, c, bob));
        _select(c, bob, 1, r);
    }

    function test_selectNode_wrongRoots_reverts() public {
        DisputeData.Run memory r = _honest();
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        DisputeData.Run memory other = DisputeData.run(SEED + 1, DisputeData.Fault.None);
        _expect(abi.encodeWithSelector(IDisputeGame.TraceMismatch.selector, id));
        _select(c, alice, 1, other);
    }

    function test_selectNode_descriptorOfAnotherNode_reverts() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        bytes32[] memory proof = DisputeData.descriptorProof(2);
        vm.expectPartialRevert(Graph.DescriptorMismatch.selector);
        vm.prank(alice);
        game.selectNode(c, 2, DisputeData.node(1), proof, r.roots);
    }

    function test_selectNode_outOfRange_reverts() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        bytes32[] memory proof = DisputeData.descriptorProof(2);
        _expect(abi.encodeWithSelector(Graph.NodeOutOfRange.selector, 3, 3));
        vm.prank(alice);
        game.selectNode(c, 3, DisputeData.node(2), proof, r.roots);
    }

    // ================================================================== revealWhole

    function test_revealWhole_opensTheNodeAndAwaitsTheProof() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        vm.expectEmit(address(game));
        emit IDisputeGame.WholeRevealed(c, DisputeData.nodeWords(r, 2));
        _revealWhole(c, 2, r);
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        assertEq(uint8(ch.phase), uint8(IDisputeGame.Phase.AwaitProof));
        assertEq(ch.anchorHash, Trees.root(r.tree2));
        assertEq(_deadline(c), block.timestamp + RESPONSE);
    }

    function test_revealWhole_atTheDeadline_succeeds() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        vm.warp(_deadline(c));
        _revealWhole(c, 1, r);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.AwaitProof));
    }

    function test_revealWhole_afterTheDeadline_reverts() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        uint64 d = _deadline(c);
        vm.warp(d + 1);
        _expect(_deadlinePassed(c, d));
        _revealWhole(c, 1, r);
    }

    function test_revealWhole_notTheProvider_reverts() public {
        DisputeData.Run memory r = _honest();
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        bytes32[] memory words = DisputeData.nodeWords(r, 1);
        _expect(abi.encodeWithSelector(IDisputeGame.NotProvider.selector, id, alice));
        vm.prank(alice);
        game.revealWhole(c, DisputeData.outSpec(1), words);
    }

    function test_revealWhole_inTheWrongPhase_reverts() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        _expect(_wrongPhase(c, IDisputeGame.Phase.AwaitNode));
        _revealWhole(c, 1, r);
    }

    function test_revealWhole_wrongSpec_reverts() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        TensorSpec memory wrong = DisputeData.spec(DisputeData.INT64, 1, 1);
        wrong.dtype = 6;
        bytes32[] memory words = DisputeData.nodeWords(r, 1);
        vm.expectPartialRevert(IDisputeGame.HashMismatch.selector);
        vm.prank(provider);
        game.revealWhole(c, wrong, words);
    }

    function test_revealWhole_wrongWordCount_reverts() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        _expect(abi.encodeWithSelector(IDisputeGame.WordCountMismatch.selector, 1, 2));
        vm.prank(provider);
        game.revealWhole(c, DisputeData.outSpec(1), new bytes32[](2));
    }

    function test_revealWhole_wordsOfAnotherTensor_reverts() public {
        DisputeData.Run memory r = _honest();
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        bytes32[] memory words = new bytes32[](1);
        words[0] = bytes32(uint256(1) << 192);
        vm.expectPartialRevert(IDisputeGame.RevealMismatch.selector);
        vm.prank(provider);
        game.revealWhole(c, DisputeData.outSpec(1), words);
    }

    function test_revealWhole_junkInThePadding_reverts_andTheProviderLosesOnTimeout() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.JunkTail1);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        bytes32[] memory words = DisputeData.nodeWords(r, 1);
        _expect(abi.encodeWithSelector(IDisputeGame.NonCanonicalWord.selector, 0, words[0]));
        _revealWhole(c, 1, r);
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.ProviderTimeout);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    // ================================================================== revealChildren / chooseChild

    function test_revealChildren_firstRound_opensTheDataRootAndSixteenChildren() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        bytes32[] memory children = Trees.children(r.tree0, 7, 0);
        assertEq(children.length, 16);
        vm.expectEmit(address(game));
        emit IDisputeGame.ChildrenRevealed(c, 7, 0, children);
        _revealChildren(c, r);
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        assertEq(uint8(ch.phase), uint8(IDisputeGame.Phase.AwaitChoice));
        assertEq(ch.anchorHash, Trees.root(r.tree0));
        assertEq(ch.childrenHash, keccak256(abi.encodePacked(children)));
    }

    function test_chooseChild_descendsLevelByLevelToOneWord() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        uint256 w = r.flipped / 32;
        bytes32[] memory first = _revealChildren(c, r);
        vm.expectEmit(address(game));
        emit IDisputeGame.ChildChosen(c, w >> 3);
        _choose(c, alice, first, w >> 3);
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        assertEq(uint8(ch.phase), uint8(IDisputeGame.Phase.AwaitChildren));
        assertEq(ch.anchorLevel, 3);
        assertEq(ch.anchorIndex, w >> 3);
        assertEq(ch.anchorHash, r.tree0[3][w >> 3]);

        bytes32[] memory second = _revealChildren(c, r);
        assertEq(second.length, 8);
        _choose(c, alice, second, w & 7);
        ch = game.challengeOf(c);
        assertEq(uint8(ch.phase), uint8(IDisputeGame.Phase.AwaitProof));
        assertEq(ch.anchorLevel, 0);
        assertEq(ch.anchorIndex, w);
        assertEq(ch.anchorHash, r.tree0[0][w]);
    }

    function test_revealChildren_wrongDataRoot_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        bytes32[] memory children = Trees.children(r.tree0, 7, 0);
        vm.expectPartialRevert(IDisputeGame.RevealMismatch.selector);
        vm.prank(provider);
        game.revealChildren(c, DisputeData.outSpec(0), keccak256("not the data root"), children);
    }

    function test_revealChildren_childrenNotHashingToTheAnchor_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        bytes32[] memory children = Trees.children(r.tree0, 7, 0);
        children[3] = keccak256("forged");
        bytes32 dataRoot = Trees.root(r.tree0);
        vm.expectPartialRevert(IDisputeGame.RevealMismatch.selector);
        vm.prank(provider);
        game.revealChildren(c, DisputeData.outSpec(0), dataRoot, children);
    }

    function test_revealChildren_wrongChildCount_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        bytes32 dataRoot = Trees.root(r.tree0);
        _expect(abi.encodeWithSelector(IDisputeGame.WordCountMismatch.selector, 16, 8));
        vm.prank(provider);
        game.revealChildren(c, DisputeData.outSpec(0), dataRoot, new bytes32[](8));
    }

    function test_revealChildren_wrongSpec_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        bytes32[] memory children = Trees.children(r.tree0, 7, 0);
        bytes32 dataRoot = Trees.root(r.tree0);
        vm.expectPartialRevert(IDisputeGame.HashMismatch.selector);
        vm.prank(provider);
        game.revealChildren(c, DisputeData.spec(DisputeData.INT8, 2, 1035), dataRoot, children);
    }

    function test_revealChildren_notTheProvider_orWrongPhase_orLate_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _revealChildrenReverts(c, r, _wrongPhase(c, IDisputeGame.Phase.AwaitNode));
        _select(c, alice, 0, r);
        bytes32[] memory children = Trees.children(r.tree0, 7, 0);
        bytes32 dataRoot = Trees.root(r.tree0);
        _expect(abi.encodeWithSelector(IDisputeGame.NotProvider.selector, id, bob));
        vm.prank(bob);
        game.revealChildren(c, DisputeData.outSpec(0), dataRoot, children);
        uint64 d = _deadline(c);
        vm.warp(d + 1);
        _revealChildrenReverts(c, r, _deadlinePassed(c, d));
    }

    function test_chooseChild_otherChildren_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        bytes32[] memory children = _revealChildren(c, r);
        children[0] = keccak256("other");
        vm.expectPartialRevert(IDisputeGame.HashMismatch.selector);
        _choose(c, alice, children, 0);
    }

    function test_chooseChild_indexOutOfRange_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        bytes32[] memory children = _revealChildren(c, r);
        _expect(abi.encodeWithSelector(IDisputeGame.ChildOutOfRange.selector, 16, 16));
        _choose(c, alice, children, 16);
    }

    function test_chooseChild_notTheChallenger_orLate_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        bytes32[] memory children = _revealChildren(c, r);
        _expect(abi.encodeWithSelector(IDisputeGame.NotChallenger.selector, c, bob));
        _choose(c, bob, children, 0);
        uint64 d = _deadline(c);
        vm.warp(d);
        _choose(c, alice, children, 0);
        bytes32[] memory next = _revealChildren(c, r);
        d = _deadline(c);
        vm.warp(d + 1);
        _expect(_deadlinePassed(c, d));
        _choose(c, alice, next, 0);
    }

    function test_chooseChild_aPaddingLeafWithJunk_winsAtOnce() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.JunkLeaf0);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        _descendTo(c, alice, r, 100 * 32);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.NonCanonical);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    function test_chooseChild_aWordWithJunkInItsTail_winsAtOnce() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.JunkTail0);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        _descendTo(c, alice, r, 64 * 32);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.NonCanonical);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    function test_chooseChild_aCanonicalPaddingLeaf_awaitsAProofNobodyCanGive() public {
        DisputeData.Run memory r = _honest();
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        _descendTo(c, alice, r, 100 * 32);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.AwaitProof));
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Lost, IDisputeGame.Reason.ChallengerTimeout);
        assertTrue(_jobOf(id).frozen, "frozen through the grace period");
    }

    // ================================================================== proveStep

    function test_proveStep_wrongOutput_slashesAndPaysTheSplit() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 requesterBefore = token.balanceOf(requester);
        uint256 staked = stakes.totalStaked();
        uint64 truth = DisputeData.argMax(r.input);
        vm.expectEmit(address(game));
        emit IDisputeGame.StepChecked(c, 0, int256(uint256(truth + 1)), int256(uint256(truth)));
        _prove(c, alice, r, _honest(), 2, 0);

        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
        // Every share is credited, none pushed (PROTOCOL §9.5).
        assertEq(_claimable(alice), BOND + COLLATERAL / 2, "bond back + 50 %");
        assertEq(_claimable(requester), FEE + (COLLATERAL * 3) / 10, "fee + 30 %");
        assertEq(_claimable(treasury), (COLLATERAL * 2) / 10, "20 %");
        assertEq(stakes.totalStaked(), staked - COLLATERAL);
        assertEq(token.balanceOf(address(game)), BOND + COLLATERAL + FEE);
        assertEq(_withdraw(alice), BOND + COLLATERAL / 2);
        assertEq(_withdraw(requester), FEE + (COLLATERAL * 3) / 10);
        assertEq(_withdraw(treasury), (COLLATERAL * 2) / 10);
        assertEq(token.balanceOf(alice), aliceBefore + BOND + COLLATERAL / 2);
        assertEq(token.balanceOf(requester), requesterBefore + FEE + (COLLATERAL * 3) / 10);
        assertEq(token.balanceOf(address(game)), 0);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
        (JobStatus status, bytes memory output) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Slashed));
        assertEq(output.length, 0);
        IDisputeGame.Dispute memory d = game.disputeOf(id);
        assertTrue(d.fraud && d.settled);
        assertEq(d.open, 0);
    }

    function test_proveStep_wrongArgMax_opensTheWholeRowOfTheLargeNode() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongArgMax);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        _revealWhole(c, 1, r);
        _prove(c, alice, r, _honest(), 1, 0);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    /// @dev The challenger's opening of word `w` of node `i`'s output as `r` committed it.
    function _wordOpening(
        DisputeData.Run memory r,
        uint256 i,
        uint256 w
    ) internal pure returns (IDisputeGame.WordOpening memory o) {
        bytes32[][] memory lv = DisputeData.tree(r, i);
        o.dataRoot = Trees.root(lv);
        o.wordIndex = w;
        o.word = lv[0][w];
        o.proof = new bytes32[](lv.length - 1);
        uint256 index = w;
        for (uint256 l; l + 1 < lv.length; ++l) {
            o.proof[l] = lv[l][index ^ 1];
            index >>= 1;
        }
    }

    function _selectElement(
        ChallengeId c,
        uint256 i,
        DisputeData.Run memory r,
        IDisputeGame.WordOpening memory o
    ) internal {
        vm.prank(alice);
        game.selectElement(c, uint32(i), DisputeData.node(i), DisputeData.descriptorProof(i), r.roots, o);
    }

    function test_selectElement_opensTheWordItself_andTheProofFollowsWithoutAReveal() public {
        // A challenger holding the provider's data of a large node skips the reveal rounds.
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        IDisputeGame.WordOpening memory o = _wordOpening(r, 0, r.flipped / 32);
        vm.expectEmit(address(game));
        emit IDisputeGame.WordOpened(c, o.wordIndex, o.word);
        _selectElement(c, 0, r, o);
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        assertEq(uint8(ch.phase), uint8(IDisputeGame.Phase.AwaitProof));
        assertEq(ch.anchorLevel, 0);
        assertEq(ch.anchorIndex, o.wordIndex);
        assertEq(ch.anchorHash, o.word);
        _prove(c, alice, r, _honest(), 0, r.flipped);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    function test_selectElement_aWordTheProviderDidNotCommit_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        IDisputeGame.WordOpening memory o = _wordOpening(r, 0, r.flipped / 32);
        // The honest word in place of the provider's: it misses the posted root.
        IDisputeGame.WordOpening memory honest = _wordOpening(_honest(), 0, r.flipped / 32);
        o.word = honest.word;
        vm.expectPartialRevert(IDisputeGame.RevealMismatch.selector);
        _selectElement(c, 0, r, o);
        // Another data root: its tensor root is not the posted one.
        o = _wordOpening(r, 0, r.flipped / 32);
        o.dataRoot = honest.dataRoot;
        vm.expectPartialRevert(IDisputeGame.RevealMismatch.selector);
        _selectElement(c, 0, r, o);
        // A word past the output.
        o = _wordOpening(r, 0, 0);
        o.wordIndex = 1 << 20;
        vm.expectPartialRevert(IDisputeGame.ChildOutOfRange.selector);
        _selectElement(c, 0, r, o);
        // The right opening still goes through, and only the challenger may send it.
        o = _wordOpening(r, 0, r.flipped / 32);
        vm.prank(bob);
        vm.expectPartialRevert(IDisputeGame.NotChallenger.selector);
        game.selectElement(c, 0, DisputeData.node(0), DisputeData.descriptorProof(0), r.roots, o);
        _selectElement(c, 0, r, o);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.AwaitProof));
    }

    function test_selectElement_ofAnHonestNode_losesAtTheProof() public {
        // The opening binds the challenger to the provider's word: an honest element loses.
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        uint256 other = r.flipped >= 32 ? r.flipped - 32 : r.flipped + 32;
        _selectElement(c, 0, r, _wordOpening(r, 0, other / 32));
        _prove(c, alice, r, _honest(), 0, other);
        _assertResolved(c, IDisputeGame.Outcome.Lost, IDisputeGame.Reason.ElementMatches);
    }

    function test_proveStep_afterTheKaryDescent_provesTheFlippedElement() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        _descendTo(c, alice, r, r.flipped);
        _prove(c, alice, r, _honest(), 0, r.flipped);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
    }

    function test_proveStep_aMatchingElement_losesTheBondToThePot() public {
        DisputeData.Run memory r = _honest();
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 1, r);
        _revealWhole(c, 1, r);
        _prove(c, alice, r, r, 1, 0);
        _assertResolved(c, IDisputeGame.Outcome.Lost, IDisputeGame.Reason.ElementMatches);
        IDisputeGame.Dispute memory d = game.disputeOf(id);
        assertEq(d.pot, BOND, "the lost bond waits in the job's pot");
        assertEq(_claimable(provider), 0);
        assertEq(_claimable(alice), 0);
        assertFalse(d.fraud);
        assertTrue(d.failed);
        assertEq(Timestamp.unwrap(d.graceEnd), block.timestamp + RESPONSE);
        assertTrue(_jobOf(id).frozen);
    }

    function test_proveStep_forgedOperands_revertsAndCanBeCorrected() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, _honest(), 2, 0);
        p.operands[0].words[0] = bytes32(uint256(5) << 192);
        vm.expectPartialRevert(TensorCodec.RootMismatch.selector);
        vm.prank(alice);
        game.proveStep(c, p);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.AwaitProof));
        _prove(c, alice, r, _honest(), 2, 0);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
    }

    function test_proveStep_aFloatProofForAnIntegerModel_reverts() public {
        // An exact integer node is never judged by a bound: a proof carrying a float part is
        // refused, and the challenger can still send the right one.
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, _honest(), 2, 0);
        p.floatProof = abi.encode(FloatPolicy.strictFp32(), bytes(""));
        vm.expectRevert(abi.encodeWithSelector(IDisputeGame.ProofProfileMismatch.selector, uint8(1)));
        vm.prank(alice);
        game.proveStep(c, p);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.AwaitProof));
        _prove(c, alice, r, _honest(), 2, 0);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
    }

    function test_proveStep_anotherDescriptor_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, _honest(), 2, 0);
        p.node = DisputeData.node(1);
        vm.expectPartialRevert(IDisputeGame.HashMismatch.selector);
        vm.prank(alice);
        game.proveStep(c, p);
    }

    function test_proveStep_wrongRoots_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, _honest(), 2, 0);
        p.nodeRoots = _honest().roots;
        _expect(abi.encodeWithSelector(IDisputeGame.TraceMismatch.selector, id));
        vm.prank(alice);
        game.proveStep(c, p);
    }

    function test_proveStep_elementOutsideTheOpenedWord_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        _descendTo(c, alice, r, r.flipped);
        uint256 other = (r.flipped + 32) % (64 * 32);
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, _honest(), 0, other);
        _expect(abi.encodeWithSelector(IDisputeGame.ElementNotOpened.selector, other, other / 32));
        vm.prank(alice);
        game.proveStep(c, p);
    }

    function test_proveStep_elementPastTheOutput_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, _honest(), 2, 0);
        p.outIndex = 1;
        _expect(abi.encodeWithSelector(IDisputeGame.ElementNotOpened.selector, 1, 0));
        vm.prank(alice);
        game.proveStep(c, p);
    }

    function test_proveStep_aWordTheProviderDidNotReveal_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, _honest(), 2, 0);
        p.outWord = _honest().tree2[0][0];
        vm.expectPartialRevert(IDisputeGame.RevealMismatch.selector);
        vm.prank(alice);
        game.proveStep(c, p);
    }

    function test_proveStep_notTheChallenger_wrongPhase_orLate_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, _honest(), 2, 0);
        _expect(_wrongPhase(c, IDisputeGame.Phase.AwaitNode));
        vm.prank(alice);
        game.proveStep(c, p);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        _expect(abi.encodeWithSelector(IDisputeGame.NotChallenger.selector, c, bob));
        vm.prank(bob);
        game.proveStep(c, p);
        uint64 d = _deadline(c);
        vm.warp(d + 1);
        _expect(_deadlinePassed(c, d));
        vm.prank(alice);
        game.proveStep(c, p);
    }

    function test_proveStep_atTheDeadline_succeeds() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        vm.warp(_deadline(c));
        _prove(c, alice, r, _honest(), 2, 0);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.FraudProven);
    }

    // ================================================================== timeout

    function test_timeout_silentProvider_theLowestRevealedChallengeWins_theOthersAreMoot() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId a = _commit(id, alice);
        ChallengeId b = _challenge(id, bob);
        ChallengeId c = _challenge(id, alice);
        // The lowest id is revealed last: the winner is the lowest revealed id, not the first reveal.
        _reveal(a, id, alice);
        uint64 d = _deadline(a);
        vm.warp(d);
        _expect(abi.encodeWithSelector(IDisputeGame.DeadlineNotReached.selector, b, d));
        game.timeout(b);
        vm.warp(d + 1);
        game.timeout(b);
        _assertResolved(a, IDisputeGame.Outcome.Won, IDisputeGame.Reason.ProviderTimeout);
        _assertResolved(b, IDisputeGame.Outcome.Moot, IDisputeGame.Reason.Superseded);
        assertEq(ChallengeId.unwrap(game.disputeOf(id).winner), ChallengeId.unwrap(a));
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Committed), "c is still open");
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Moot, IDisputeGame.Reason.Superseded);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
        assertEq(_claimable(alice), 2 * BOND + COLLATERAL / 2);
        assertEq(_claimable(bob), BOND);
    }

    function test_timeout_ofTheWinnerItself_settlesAtOnce() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        vm.warp(_deadline(a) + 1);
        game.timeout(a);
        _assertResolved(a, IDisputeGame.Outcome.Won, IDisputeGame.Reason.ProviderTimeout);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
        assertEq(_claimable(alice), BOND + COLLATERAL / 2);
    }

    function test_timeout_challengerSilentAfterTheRoots_loses() public {
        DisputeData.Run memory r = _honest();
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Lost, IDisputeGame.Reason.ChallengerTimeout);
        assertEq(game.disputeOf(id).pot, BOND);
        assertTrue(_jobOf(id).frozen);
    }

    function test_timeout_providerSilentOnAWholeReveal_loses() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        uint64 d = _deadline(c);
        vm.warp(d);
        _expect(abi.encodeWithSelector(IDisputeGame.DeadlineNotReached.selector, c, d));
        game.timeout(c);
        vm.warp(d + 1);
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.ProviderTimeout);
    }

    function test_timeout_providerSilentOnChildren_loses() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        _choose(c, alice, _revealChildren(c, r), 0);
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Won, IDisputeGame.Reason.ProviderTimeout);
    }

    function test_timeout_challengerSilentOnAChoice_loses() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.Flipped0);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 0, r);
        _revealChildren(c, r);
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Lost, IDisputeGame.Reason.ChallengerTimeout);
    }

    function test_timeout_challengerSilentOnTheProof_loses() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (, ChallengeId c) = _atAwaitNode(r);
        _select(c, alice, 2, r);
        _revealWhole(c, 2, r);
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        _assertResolved(c, IDisputeGame.Outcome.Lost, IDisputeGame.Reason.ChallengerTimeout);
    }

    function test_timeout_unrevealedOrResolvedOrUnknown_reverts() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        ChallengeId c = _commit(id, alice);
        _expect(_wrongPhase(c, IDisputeGame.Phase.Committed));
        game.timeout(c);
        vm.roll(block.number + 1);
        _reveal(c, id, alice);
        _postRoots(id, r);
        vm.warp(_deadline(c) + 1);
        game.timeout(c);
        _expect(_wrongPhase(c, IDisputeGame.Phase.Resolved));
        game.timeout(c);
        _expect(abi.encodeWithSelector(IDisputeGame.UnknownChallenge.selector, ChallengeId.wrap(99)));
        game.timeout(ChallengeId.wrap(99));
    }

    // ================================================================== settle

    function test_settle_nothingToSettle_reverts() public {
        JobId id = _job(_honest());
        _expect(abi.encodeWithSelector(IDisputeGame.NotSettleable.selector, id));
        game.settle(id);
    }

    function test_settle_releasesOnlyAfterTheGracePeriod_thenTheJobFinalizes() public {
        DisputeData.Run memory r = _honest();
        (JobId id, ChallengeId c) = _atAwaitNode(r);
        uint64 late = _jobOf(id).windowEnd.raw() + 1;
        vm.warp(late);
        game.timeout(c);
        uint64 graceEnd = Timestamp.unwrap(game.disputeOf(id).graceEnd);
        assertEq(graceEnd, late + RESPONSE);

        vm.warp(graceEnd - 1);
        _expect(abi.encodeWithSelector(IDisputeGame.NotSettleable.selector, id));
        game.settle(id);
        _expect(abi.encodeWithSelector(IDisputeHook.JobFrozen.selector, id));
        jobs.finalize(id);

        vm.warp(graceEnd);
        vm.expectEmit(address(game));
        emit IDisputeGame.Credited(provider, id, IDisputeGame.CreditReason.LostBonds, BOND);
        vm.expectEmit(address(game));
        emit IDisputeGame.DisputeSettled(id, false, ChallengeId.wrap(0), 0);
        game.settle(id);
        assertFalse(_jobOf(id).frozen);
        assertEq(_claimable(provider), BOND, "the pot goes to the provider on release");
        assertEq(game.disputeOf(id).pot, 0);
        _expect(abi.encodeWithSelector(IDisputeGame.NotSettleable.selector, id));
        game.settle(id);
        jobs.finalize(id);
        (JobStatus status, bytes memory output) = jobs.resultOf(id);
        assertEq(uint8(status), uint8(JobStatus.Finalized));
        assertEq(output, r.output);
    }

    function test_settle_aChallengeInTheGracePeriod_keepsTheJobFrozen_andCanStillWin() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        (JobId id, ChallengeId a) = _atAwaitNode(r);
        ChallengeId b = _commit(id, bob);
        vm.warp(_jobOf(id).windowEnd.raw() + 1);
        game.timeout(a);
        vm.warp(Timestamp.unwrap(game.disputeOf(id).graceEnd) - 1);
        vm.roll(block.number + 1);
        _reveal(b, id, bob);
        assertEq(Timestamp.unwrap(game.disputeOf(id).graceEnd), 0);
        _select(b, bob, 2, r);
        _revealWhole(b, 2, r);
        _prove(b, bob, r, _honest(), 2, 0);
        assertEq(uint8(_jobOf(id).status), uint8(JobStatus.Slashed));
        assertEq(ChallengeId.unwrap(game.disputeOf(id).winner), ChallengeId.unwrap(b));
    }

    function test_settle_waitsForAnOlderOpenChallenge_whichKeepsItsRightToTheBounty() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        ChallengeId b = _challenge(id, bob);
        _postRoots(id, r);
        // The younger challenge proves first: fraud, but no settlement while the older is open.
        _select(b, bob, 2, r);
        _revealWhole(b, 2, r);
        _prove(b, bob, r, _honest(), 2, 0);
        IDisputeGame.Dispute memory d = game.disputeOf(id);
        assertTrue(d.fraud);
        assertFalse(d.settled);
        assertEq(ChallengeId.unwrap(d.winner), ChallengeId.unwrap(b));
        _expect(abi.encodeWithSelector(IDisputeGame.NotSettleable.selector, id));
        game.settle(id);
        uint256 aliceBefore = token.balanceOf(alice);
        // The older one proves too and takes the bounty.
        _select(a, alice, 2, r);
        _revealWhole(a, 2, r);
        _prove(a, alice, r, _honest(), 2, 0);
        d = game.disputeOf(id);
        assertTrue(d.settled);
        assertEq(ChallengeId.unwrap(d.winner), ChallengeId.unwrap(a));
        assertEq(_worth(alice), aliceBefore + BOND + COLLATERAL / 2);
        assertEq(_claimable(bob), BOND, "the younger winner gets its bond back, no bounty");
    }

    function test_settle_olderChallengeLoses_thenTheYoungerWinnerIsPaid() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        ChallengeId b = _challenge(id, bob);
        _postRoots(id, r);
        _select(b, bob, 2, r);
        _revealWhole(b, 2, r);
        _prove(b, bob, r, _honest(), 2, 0);
        uint256 bobBefore = _worth(bob);
        vm.warp(_deadline(a) + 1);
        game.timeout(a);
        _assertResolved(a, IDisputeGame.Outcome.Lost, IDisputeGame.Reason.ChallengerTimeout);
        assertTrue(game.disputeOf(id).settled);
        // The bounty and the pot: the older challenge's lost bond goes to the winner.
        assertEq(_worth(bob), bobBefore + COLLATERAL / 2 + BOND);
    }

    function test_settle_youngerOpenChallenges_areMootByAnyone_andTheLastMootSettles() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        ChallengeId b = _challenge(id, bob);
        _postRoots(id, r);
        uint256 bobBefore = _worth(bob);
        _select(a, alice, 2, r);
        _revealWhole(a, 2, r);
        _prove(a, alice, r, _honest(), 2, 0);
        assertFalse(game.disputeOf(id).settled, "b is still open");
        _expect(abi.encodeWithSelector(IDisputeGame.NotSettleable.selector, id));
        game.settle(id);
        vm.prank(makeAddr("anyone"));
        game.moot(b);
        _assertResolved(b, IDisputeGame.Outcome.Moot, IDisputeGame.Reason.Superseded);
        assertTrue(game.disputeOf(id).settled);
        assertEq(_worth(bob), bobBefore + BOND);
        assertEq(
            token.balanceOf(address(game)),
            _claimable(alice) + _claimable(bob) + _claimable(requester) + _claimable(treasury)
        );
    }

    function test_settle_aMootChallengesTimeout_isMootNotLost() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        ChallengeId b = _challenge(id, bob);
        _postRoots(id, r);
        _select(a, alice, 2, r);
        _revealWhole(a, 2, r);
        _prove(a, alice, r, _honest(), 2, 0);
        vm.warp(_deadline(b) + 1);
        game.timeout(b);
        _assertResolved(b, IDisputeGame.Outcome.Moot, IDisputeGame.Reason.Superseded);
        assertEq(_claimable(bob), BOND);
        assertTrue(game.disputeOf(id).settled);
    }

    function test_settle_fraudEstablished_butAnOlderChallengeOpen_reverts_untilItEnds() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        ChallengeId b = _challenge(id, bob);
        _postRoots(id, r);
        _select(b, bob, 2, r);
        _revealWhole(b, 2, r);
        _prove(b, bob, r, _honest(), 2, 0);
        _expect(abi.encodeWithSelector(IDisputeGame.NotMoot.selector, a, b));
        game.moot(a);
        _expect(abi.encodeWithSelector(IDisputeGame.NotSettleable.selector, id));
        game.settle(id);
        vm.warp(_deadline(a) + 1);
        game.timeout(a);
        assertTrue(game.disputeOf(id).settled);
    }

    // ================================================================== forfeitCommitment

    function test_forfeitCommitment_afterTheRevealWindow_creditsTheTreasury() public {
        JobId id = _job(_honest());
        ChallengeId c = _commit(id, alice);
        uint256 last = block.number + REVEAL_WINDOW;
        vm.roll(last);
        _expect(abi.encodeWithSelector(IDisputeGame.RevealWindowOpen.selector, c, last));
        game.forfeitCommitment(c);
        vm.roll(last + 1);
        vm.expectEmit(address(game));
        emit IDisputeGame.ChallengeResolved(
            c,
            JobId.wrap(0),
            IDisputeGame.Outcome.Forfeited,
            IDisputeGame.Reason.Unrevealed
        );
        vm.expectEmit(address(game));
        emit IDisputeGame.Credited(treasury, JobId.wrap(0), IDisputeGame.CreditReason.ForfeitedBond, BOND);
        vm.prank(makeAddr("anyone"));
        game.forfeitCommitment(c);
        assertEq(_claimable(treasury), BOND);
        assertEq(uint8(_phase(c)), uint8(IDisputeGame.Phase.Resolved));
        _expect(_wrongPhase(c, IDisputeGame.Phase.Resolved));
        game.forfeitCommitment(c);
        _revealReverts(c, id, alice, _wrongPhase(c, IDisputeGame.Phase.Resolved));
    }

    function test_forfeitCommitment_ofARevealedChallenge_reverts() public {
        JobId id = _job(_honest());
        ChallengeId c = _challenge(id, alice);
        vm.roll(block.number + REVEAL_WINDOW + 1);
        _expect(_wrongPhase(c, IDisputeGame.Phase.AwaitRoots));
        game.forfeitCommitment(c);
    }

    // ================================================================== reclaimCommitment

    function _reclaim(ChallengeId c, JobId id, bytes32 h, address who) internal {
        vm.prank(who);
        game.reclaimCommitment(c, id, h, _salt(who));
    }

    function test_reclaimCommitment_onAnHonestJob_reverts() public {
        JobId id = _job(_honest());
        ChallengeId c = _commit(id, alice);
        bytes32 h = _commitmentHash(id);
        _expect(abi.encodeWithSelector(IDisputeGame.NotReclaimable.selector, c, id));
        _reclaim(c, id, h, alice);
        // Not after the window either: a commitment that could have been revealed is forfeited.
        vm.roll(block.number + REVEAL_WINDOW + 1);
        _expect(abi.encodeWithSelector(IDisputeGame.NotReclaimable.selector, c, id));
        _reclaim(c, id, h, alice);
    }

    function test_reclaimCommitment_afterFraudIsEstablished_returnsTheBond() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId b = _commit(id, bob);
        ChallengeId a = _challenge(id, alice);
        _postRoots(id, r);
        _select(a, alice, 2, r);
        _revealWhole(a, 2, r);
        _prove(a, alice, r, _honest(), 2, 0);
        bytes32 h = _commitmentHash(id);
        vm.expectEmit(address(game));
        emit IDisputeGame.Credited(bob, id, IDisputeGame.CreditReason.ReclaimedBond, BOND);
        _reclaim(b, id, h, bob);
        _assertResolved(b, IDisputeGame.Outcome.Reclaimed, IDisputeGame.Reason.Unrevealable);
        assertEq(JobId.unwrap(game.challengeOf(b).jobId), JobId.unwrap(id));
        assertEq(_claimable(bob), BOND);
        _expect(_wrongPhase(b, IDisputeGame.Phase.Resolved));
        _reclaim(b, id, h, bob);
        vm.roll(block.number + REVEAL_WINDOW + 1);
        _expect(_wrongPhase(b, IDisputeGame.Phase.Resolved));
        game.forfeitCommitment(b);
    }

    function test_reclaimCommitment_whenTheJobNoLongerHasTheHash_returnsTheBond() public {
        JobId id = _job(_honest());
        bytes32 stale = keccak256("the commitment a reorg replaced");
        bytes32 commitment = keccak256(abi.encode(JobId.unwrap(id), stale, alice, _salt(alice)));
        vm.prank(alice);
        ChallengeId c = game.commitChallenge(model, commitment);
        _reclaim(c, id, stale, alice);
        assertEq(_claimable(alice), BOND);
        // A job that does not exist has no commitment hash either.
        commitment = keccak256(abi.encode(uint256(999), stale, alice, _salt(alice)));
        vm.prank(alice);
        c = game.commitChallenge(model, commitment);
        _reclaim(c, JobId.wrap(999), stale, alice);
        assertEq(_claimable(alice), 2 * BOND);
    }

    function test_reclaimCommitment_wrongPreimage_orNotTheCommitter_reverts() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId b = _commit(id, bob);
        ChallengeId a = _challenge(id, alice);
        vm.warp(_deadline(a) + 1);
        game.timeout(a);
        assertTrue(game.disputeOf(id).fraud);
        bytes32 h = _commitmentHash(id);
        _expect(abi.encodeWithSelector(IDisputeGame.NotChallenger.selector, b, alice));
        vm.prank(alice);
        game.reclaimCommitment(b, id, h, _salt(bob));
        _expect(abi.encodeWithSelector(IDisputeGame.CommitmentMismatch.selector, b));
        vm.prank(bob);
        game.reclaimCommitment(b, id, h, bytes32("other salt"));
    }

    // ================================================================== moot

    function test_moot_beforeFraud_orUnrevealed_reverts() public {
        DisputeData.Run memory r = _honest();
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        ChallengeId b = _commit(id, bob);
        _expect(abi.encodeWithSelector(IDisputeGame.NotMoot.selector, a, ChallengeId.wrap(0)));
        game.moot(a);
        _expect(_wrongPhase(b, IDisputeGame.Phase.Committed));
        game.moot(b);
    }

    // ================================================================== withdraw

    function test_withdraw_nothing_reverts() public {
        _expect(abi.encodeWithSelector(IDisputeGame.NothingToWithdraw.selector, alice));
        vm.prank(alice);
        game.withdraw();
    }

    function test_withdrawTo_sendsTheCallersBalanceElsewhere_once() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        ChallengeId a = _challenge(id, alice);
        vm.warp(_deadline(a) + 1);
        game.timeout(a);
        address cold = makeAddr("cold wallet");
        vm.expectRevert(IDisputeGame.ZeroAddress.selector);
        vm.prank(alice);
        game.withdrawTo(address(0));
        vm.expectEmit(address(game));
        emit IDisputeGame.Withdrawn(alice, cold, BOND + COLLATERAL / 2);
        vm.prank(alice);
        assertEq(game.withdrawTo(cold), BOND + COLLATERAL / 2);
        assertEq(token.balanceOf(cold), BOND + COLLATERAL / 2);
        assertEq(_claimable(alice), 0);
        _expect(abi.encodeWithSelector(IDisputeGame.NothingToWithdraw.selector, alice));
        vm.prank(alice);
        game.withdraw();
    }

    // ================================================================== views

    function test_views_trackTheChallengeThroughItsPhases() public {
        DisputeData.Run memory r = _faulty(DisputeData.Fault.WrongOutput);
        JobId id = _job(r);
        assertEq(uint8(game.phaseOf(ChallengeId.wrap(1))), uint8(IDisputeGame.Phase.None));
        ChallengeId c = _challenge(id, alice);
        assertEq(uint8(game.challengeOf(c).phase), uint8(IDisputeGame.Phase.AwaitRoots));
        // (No block.timestamp after a warp here: via-IR may reuse an earlier read.)
        vm.warp(START + 60);
        _postRoots(id, r);
        // Roots posted a minute after the reveal: the selection clock starts from the roots.
        assertEq(uint8(game.challengeOf(c).phase), uint8(IDisputeGame.Phase.AwaitNode));
        assertEq(_deadline(c), START + 60 + RESPONSE);
        _select(c, alice, 2, r);
        assertEq(uint8(game.phaseOf(c)), uint8(IDisputeGame.Phase.AwaitWhole));
        _revealWhole(c, 2, r);
        assertEq(uint8(game.phaseOf(c)), uint8(IDisputeGame.Phase.AwaitProof));
        _prove(c, alice, r, _honest(), 2, 0);
        assertEq(uint8(game.phaseOf(c)), uint8(IDisputeGame.Phase.Resolved));
        // The list keeps every revealed challenge, resolved ones included.
        assertEq(game.disputeOf(id).challenges.length, 1);
        assertEq(game.disputeOf(id).open, 0);
    }

    // ================================================================== malformed graphs

    /// @notice A registered graph whose node reads its own output (the registry does not check
    ///         graphs; watchers refuse such models): the proof is refused, never mis-evaluated.
    function test_proveStep_operandFromALaterNode_reverts() public {
        NodeDescriptor memory self;
        self.opcode = 13;
        self.inputs = new Operand[](1);
        self.inputs[0] = Operand({
            source: Graph.NODE_OUTPUT,
            index: 0,
            root: bytes32(0),
            spec: DisputeData.spec(DisputeData.INT8, 1, 4)
        });
        self.output = DisputeData.spec(DisputeData.INT8, 1, 4);
        ModelSpec memory spec = DisputeData.modelSpec(WINDOW, RESPONSE, COLLATERAL, BOND);
        spec.nodeCount = 1;
        spec.graphRoot = Graph.graphRoot(1, Graph.descriptorHash(self));
        spec.input = DisputeData.spec(DisputeData.INT8, 1, 4);
        spec.output = DisputeData.spec(DisputeData.INT8, 1, 4);
        ModelId selfModel = registry.register(spec);

        bytes memory data = hex"01020304";
        bytes32 root = TensorCodec.rootOfPacked(spec.output, data);
        bytes32[] memory roots = new bytes32[](1);
        roots[0] = root;
        vm.prank(requester);
        JobId id = jobs.request(selfModel, data, FEE, Timestamp.wrap(uint64(block.timestamp) + 1 hours), false);
        vm.prank(provider);
        jobs.commit(id, root, data);
        bytes32 commitment = _commitment(id, alice, _salt(alice));
        vm.prank(alice);
        ChallengeId c = game.commitChallenge(selfModel, commitment);
        vm.roll(block.number + 1);
        _reveal(c, id, alice);
        vm.prank(provider);
        game.postRoots(id, roots);
        vm.prank(alice);
        game.selectNode(c, 0, self, new bytes32[](0), roots);
        bytes32[] memory words = Trees.words(data, 1);
        vm.prank(provider);
        game.revealWhole(c, spec.output, words);

        IDisputeGame.OneStepProof memory p;
        p.node = self;
        p.nodeRoots = roots;
        p.outWord = words[0];
        p.outProof = new bytes32[](0);
        p.operands = new TensorCodec.RangeOpening[](1);
        p.operands[0] = TensorCodec.RangeOpening({firstWord: 0, words: words, proof: new bytes32[](0)});
        _expect(abi.encodeWithSelector(IDisputeGame.OperandNotEarlier.selector, 0, 0));
        vm.prank(alice);
        game.proveStep(c, p);
    }
}
