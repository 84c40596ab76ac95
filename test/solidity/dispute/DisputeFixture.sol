// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {DisputeGame} from "../../../contracts/DisputeGame.sol";
import {JobManager} from "../../../contracts/JobManager.sol";
import {ModelRegistry} from "../../../contracts/ModelRegistry.sol";
import {OneStepVerifier} from "../../../contracts/OneStepVerifier.sol";
import {FloatDotStep} from "../../../contracts/ops/float/step/FloatDotStep.sol";
import {FloatPointwiseStep} from "../../../contracts/ops/float/step/FloatPointwiseStep.sol";
import {FloatStepVerifier} from "../../../contracts/ops/float/step/FloatStepVerifier.sol";
import {FloatWindowStep} from "../../../contracts/ops/float/step/FloatWindowStep.sol";
import {StakeManager} from "../../../contracts/StakeManager.sol";
import {ChallengeId, IDisputeGame} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {Duration, JobId, ModelId, Timestamp} from "../../../contracts/libraries/Types.sol";
import {BlocklistToken} from "../utils/BlocklistToken.sol";
import {DisputeData, DisputeProofs, Trees} from "./DisputeData.sol";
import {DisputeHandler} from "./DisputeHandler.sol";

/// @notice The whole protocol, deployed and wired as a deployment does, with the dispute
///         graph of DisputeData registered, and the steps every dispute test repeats.
abstract contract DisputeFixture is Test {
    uint64 internal constant START = 1_700_000_000;
    uint64 internal constant MAX_CHALLENGE_WINDOW = 1 days;
    uint64 internal constant MIN_RESPONSE_WINDOW = 1 minutes;
    uint64 internal constant MAX_RESPONSE_WINDOW = 1 hours;
    uint256 internal constant REVEAL_WINDOW = 64;
    uint64 internal constant WINDOW = 1 hours;
    uint64 internal constant RESPONSE = 10 minutes;
    uint128 internal constant COLLATERAL = 100e18;
    uint128 internal constant BOND = 10e18;
    uint256 internal constant FEE = 1e18;

    /// @dev A plain ERC20 until a test blocks an address (a recipient that cannot receive).
    BlocklistToken internal token;
    StakeManager internal stakes;
    ModelRegistry internal registry;
    JobManager internal jobs;
    OneStepVerifier internal verifier;
    FloatStepVerifier internal floatVerifier;
    DisputeGame internal game;
    ModelId internal model;

    address internal provider = makeAddr("provider");
    address internal requester = makeAddr("requester");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal treasury = makeAddr("treasury");

    function setUp() public virtual {
        vm.warp(START);
        vm.roll(100);
        token = new BlocklistToken();
        stakes = new StakeManager(
            token,
            Duration.wrap(MAX_CHALLENGE_WINDOW + 15 * MAX_RESPONSE_WINDOW + 1),
            Duration.wrap(MAX_CHALLENGE_WINDOW),
            Duration.wrap(MIN_RESPONSE_WINDOW),
            Duration.wrap(MAX_RESPONSE_WINDOW)
        );
        registry = new ModelRegistry(stakes);
        jobs = new JobManager(stakes, registry, 200_000);
        verifier = new OneStepVerifier();
        floatVerifier = new FloatStepVerifier(new FloatDotStep(), new FloatWindowStep(), new FloatPointwiseStep());
        game = new DisputeGame(jobs, registry, verifier, floatVerifier, treasury, REVEAL_WINDOW);
        stakes.initialize(address(jobs), address(jobs));
        jobs.initialize(address(game));
        model = registry.register(DisputeData.modelSpec(WINDOW, RESPONSE, COLLATERAL, BOND));

        _fund(requester, address(jobs), 1_000_000e18);
        _fund(provider, address(stakes), 1_000_000e18);
        vm.prank(provider);
        stakes.deposit(1_000_000e18);
        _fund(alice, address(game), 1_000_000e18);
        _fund(bob, address(game), 1_000_000e18);
    }

    /// @notice The actor handler of the invariant tests: alice and bob play honestly, a funded
    ///         griefer does not, a blind pre-committer copies; the handler adds a slot filler.
    function _newHandler() internal returns (DisputeHandler) {
        address griefer = makeAddr("griefer");
        address preCommitter = makeAddr("pre-committer");
        _fund(griefer, address(game), 1_000_000e18);
        _fund(preCommitter, address(game), 1_000_000e18);
        return new DisputeHandler(token, jobs, game, model, provider, requester, [alice, bob, griefer, preCommitter]);
    }

    function _fund(address who, address spender, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(spender, type(uint256).max);
    }

    // ------------------------------------------------------------------ jobs

    function _run(uint256 seed, DisputeData.Fault f) internal pure returns (DisputeData.Run memory) {
        return DisputeData.run(seed, f);
    }

    /// @notice A job requested on `r`'s input and committed as `r` by the provider.
    function _job(DisputeData.Run memory r) internal returns (JobId id) {
        vm.prank(requester);
        id = jobs.request(model, r.input, FEE, Timestamp.wrap(uint64(block.timestamp) + 1 hours), false);
        vm.prank(provider);
        jobs.commit(id, r.outputRoot, r.output);
    }

    function _commitmentHash(JobId id) internal view returns (bytes32) {
        return jobs.jobOf(id).commitmentHash;
    }

    function _commitment(JobId id, address who, bytes32 salt) internal view returns (bytes32) {
        return keccak256(abi.encode(JobId.unwrap(id), _commitmentHash(id), who, salt));
    }

    /// @notice A commitment to challenge job `id` as `who` (its bond is pulled now).
    function _commit(JobId id, address who) internal returns (ChallengeId c) {
        bytes32 commitment = _commitment(id, who, _salt(who));
        vm.prank(who);
        c = game.commitChallenge(model, commitment);
    }

    function _reveal(ChallengeId c, JobId id, address who) internal {
        bytes32 h = _commitmentHash(id);
        vm.prank(who);
        game.revealChallenge(c, id, h, _salt(who));
    }

    /// @notice A reveal that must revert with `err` (the job's commitment hash is read first).
    function _revealReverts(ChallengeId c, JobId id, address who, bytes memory err) internal {
        bytes32 h = _commitmentHash(id);
        vm.expectRevert(err);
        vm.prank(who);
        game.revealChallenge(c, id, h, _salt(who));
    }

    /// @notice Commit, next block, reveal.
    function _challenge(JobId id, address who) internal returns (ChallengeId c) {
        c = _commit(id, who);
        vm.roll(block.number + 1);
        _reveal(c, id, who);
    }

    function _salt(address who) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", who));
    }

    // ------------------------------------------------------------------ moves

    function _postRoots(JobId id, DisputeData.Run memory r) internal {
        vm.prank(provider);
        game.postRoots(id, r.roots);
    }

    function _select(ChallengeId c, address who, uint256 i, DisputeData.Run memory r) internal {
        vm.prank(who);
        game.selectNode(c, uint32(i), DisputeData.node(i), DisputeData.descriptorProof(i), r.roots);
    }

    function _revealWhole(ChallengeId c, uint256 i, DisputeData.Run memory r) internal {
        vm.prank(provider);
        game.revealWhole(c, DisputeData.outSpec(i), DisputeData.nodeWords(r, i));
    }

    /// @notice The provider's next reveal round of node 0 at the challenge's anchor; returns the children.
    function _revealChildren(ChallengeId c, DisputeData.Run memory r) internal returns (bytes32[] memory children) {
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        children = Trees.children(r.tree0, ch.anchorLevel, ch.anchorIndex);
        vm.prank(provider);
        game.revealChildren(c, DisputeData.outSpec(0), Trees.root(r.tree0), children);
    }

    /// @notice A reveal round that must revert with `err` (the anchor is read first).
    function _revealChildrenReverts(ChallengeId c, DisputeData.Run memory r, bytes memory err) internal {
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        bytes32[] memory children = Trees.children(r.tree0, ch.anchorLevel, ch.anchorIndex);
        bytes32 dataRoot = Trees.root(r.tree0);
        vm.expectRevert(err);
        vm.prank(provider);
        game.revealChildren(c, DisputeData.outSpec(0), dataRoot, children);
    }

    function _choose(ChallengeId c, address who, bytes32[] memory children, uint256 index) internal {
        vm.prank(who);
        game.chooseChild(c, children, index);
    }

    /// @notice Both reveal rounds of node 0, descending to the word holding element `e`.
    function _descendTo(ChallengeId c, address who, DisputeData.Run memory r, uint256 e) internal {
        uint256 w = e / 32;
        _choose(c, who, _revealChildren(c, r), w >> 3);
        _choose(c, who, _revealChildren(c, r), w & 7);
    }

    /// @notice The one-step proof of element `outIndex` of node `i`: claimed from `provided`, opened from `honest`.
    function _prove(
        ChallengeId c,
        address who,
        DisputeData.Run memory provided,
        DisputeData.Run memory honest,
        uint256 i,
        uint256 outIndex
    ) internal {
        IDisputeGame.OneStepProof memory p = DisputeProofs.proof(provided, honest, i, outIndex);
        vm.prank(who);
        game.proveStep(c, p);
    }

    // ------------------------------------------------------------------ reads

    function _phase(ChallengeId c) internal view returns (IDisputeGame.Phase) {
        return game.phaseOf(c);
    }

    function _deadline(ChallengeId c) internal view returns (uint64) {
        return Timestamp.unwrap(game.deadlineOf(c));
    }

    function _jobOf(JobId id) internal view returns (IJobManager.Job memory) {
        return jobs.jobOf(id);
    }

    function _claimable(address who) internal view returns (uint256) {
        return game.claimable(who);
    }

    /// @notice `who` withdraws its whole claimable balance; returns what it received.
    function _withdraw(address who) internal returns (uint256 received) {
        uint256 before = token.balanceOf(who);
        vm.prank(who);
        game.withdraw();
        received = token.balanceOf(who) - before;
    }

    /// @notice What `who` holds plus what it may withdraw: its net position in tokens.
    function _worth(address who) internal view returns (uint256) {
        return token.balanceOf(who) + game.claimable(who);
    }
}
