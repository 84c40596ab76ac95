// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {JobManager} from "../../../contracts/JobManager.sol";
import {ModelRegistry} from "../../../contracts/ModelRegistry.sol";
import {StakeManager} from "../../../contracts/StakeManager.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {
    Duration,
    JobId,
    ModelId,
    ModelParams,
    ModelSpec,
    TensorSpec,
    Timestamp
} from "../../../contracts/libraries/Types.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";

/// @notice Deploys and wires the three contracts the way a deployment does (the
///         JobManager is the StakeManager's slasher; `game` stands in for the dispute
///         game) and offers the small steps every test repeats.
abstract contract RefuteFixture is Test {
    uint64 internal constant MAX_CHALLENGE_WINDOW = 1 days;
    uint64 internal constant MIN_RESPONSE_WINDOW = 1 minutes;
    uint64 internal constant MAX_RESPONSE_WINDOW = 1 hours;
    uint64 internal constant UNBONDING_DELAY = MAX_CHALLENGE_WINDOW + 15 * MAX_RESPONSE_WINDOW + 1;
    uint256 internal constant CALLBACK_GAS = 200_000;

    uint64 internal constant WINDOW = 1 hours;
    uint64 internal constant RESPONSE = 10 minutes;
    uint128 internal constant COLLATERAL = 100e18;
    uint128 internal constant BOND = 10e18;
    uint256 internal constant FEE = 1e18;
    uint64 internal constant START = 1_700_000_000;

    TestToken internal token;
    StakeManager internal stakes;
    ModelRegistry internal registry;
    JobManager internal jobs;

    address internal game = makeAddr("game");
    address internal provider = makeAddr("provider");
    address internal requester = makeAddr("requester");

    ModelSpec internal specA;
    ModelId internal modelA;

    function setUp() public virtual {
        vm.warp(START);
        token = new TestToken();
        stakes = new StakeManager(
            token,
            Duration.wrap(UNBONDING_DELAY),
            Duration.wrap(MAX_CHALLENGE_WINDOW),
            Duration.wrap(MIN_RESPONSE_WINDOW),
            Duration.wrap(MAX_RESPONSE_WINDOW)
        );
        registry = new ModelRegistry(stakes);
        jobs = new JobManager(stakes, registry, CALLBACK_GAS);
        stakes.initialize(address(jobs), address(jobs));
        jobs.initialize(game);

        specA = modelSpec(3, _shape2(2, 3), 6, _shape2(1, 3));
        modelA = registry.register(specA);

        _fund(requester, 1_000_000e18);
        _fund(provider, 1_000_000e18);
        vm.prank(provider);
        stakes.deposit(10_000e18);
    }

    // ------------------------------------------------------------ specs

    function modelSpec(
        uint8 inDtype,
        uint32[] memory inShape,
        uint8 outDtype,
        uint32[] memory outShape
    ) internal pure returns (ModelSpec memory s) {
        s.fileHash = keccak256("model.onnx");
        s.graphRoot = keccak256("graph");
        s.nodeCount = 3;
        s.profile = 1;
        s.input = TensorSpec({dtype: inDtype, layout: 0, shape: inShape});
        s.output = TensorSpec({dtype: outDtype, layout: 0, shape: outShape});
        s.uri = "ipfs://model";
        s.params = ModelParams({
            challengeWindow: Duration.wrap(WINDOW),
            responseWindow: Duration.wrap(RESPONSE),
            collateralPerJob: COLLATERAL,
            challengerBond: BOND
        });
    }

    function _shape1(uint32 a) internal pure returns (uint32[] memory s) {
        s = new uint32[](1);
        s[0] = a;
    }

    function _shape2(uint32 a, uint32 b) internal pure returns (uint32[] memory s) {
        s = new uint32[](2);
        (s[0], s[1]) = (a, b);
    }

    /// @notice Deterministic packed bytes of a tensor and their root.
    function _tensor(TensorSpec memory spec, uint256 seed) internal pure returns (bytes memory packed, bytes32 root) {
        uint256 len = TensorCodec.elementCount(spec) * TensorCodec.width(spec.dtype);
        packed = new bytes(len);
        bytes32 h = keccak256(abi.encode(seed));
        for (uint256 i; i < len; ++i) {
            if (i % 32 == 0) h = keccak256(abi.encode(h));
            packed[i] = h[i % 32];
        }
        root = TensorCodec.rootOfPacked(spec, packed);
    }

    // ------------------------------------------------------------ steps

    function _fund(address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.startPrank(who);
        token.approve(address(stakes), type(uint256).max);
        token.approve(address(jobs), type(uint256).max);
        vm.stopPrank();
    }

    function _deadline() internal view returns (Timestamp) {
        return Timestamp.wrap(uint64(block.timestamp) + 1 hours);
    }

    function _request() internal returns (JobId) {
        return _requestAs(requester, modelA, specA, false);
    }

    function _requestAs(address who, ModelId model, ModelSpec memory spec, bool callback) internal returns (JobId id) {
        (bytes memory input, ) = _tensor(spec.input, 7);
        vm.prank(who);
        id = jobs.request(model, input, FEE, _deadline(), callback);
    }

    function _commit(JobId id) internal returns (bytes memory output, bytes32 outputRoot) {
        return _commitAs(provider, id, specA);
    }

    function _commitAs(
        address who,
        JobId id,
        ModelSpec memory spec
    ) internal returns (bytes memory output, bytes32 outputRoot) {
        (output, outputRoot) = _tensor(spec.output, JobId.unwrap(id));
        vm.prank(who);
        jobs.commit(id, outputRoot, output);
    }

    function _committedJob() internal returns (JobId id) {
        id = _request();
        _commit(id);
    }

    function _pastWindow(JobId id) internal {
        IJobManager.Job memory j = jobs.jobOf(id);
        vm.warp(Timestamp.unwrap(j.windowEnd));
    }

    function _freeStake(address who) internal view returns (uint256 free) {
        (free, , , ) = stakes.stakeOf(who);
    }

    function _lockedStake(address who) internal view returns (uint256 locked) {
        (, locked, , ) = stakes.stakeOf(who);
    }
}
