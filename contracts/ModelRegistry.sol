// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IStakeManager} from "./interfaces/IStakeManager.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";
import {FloatPolicy} from "./ops/float/FloatPolicy.sol";
import {Duration, ModelId, ModelParams, ModelSpec, TensorSpec} from "./libraries/Types.sol";

/// @title ModelRegistry
/// @notice Permissionless, append-only registry of models.
contract ModelRegistry is IModelRegistry {
    IStakeManager internal immutable STAKE_MANAGER;
    Duration internal immutable MAX_CHALLENGE_WINDOW;
    Duration internal immutable MIN_RESPONSE_WINDOW;
    Duration internal immutable MAX_RESPONSE_WINDOW;
    /// @dev keccak256(abi.encode(NumericsPolicy)) of the only float32 policy checked so far.
    bytes32 internal immutable STRICT_FP32_POLICY_HASH;

    uint8 internal constant PROFILE_EXACT_INT = 1;
    uint8 internal constant PROFILE_FLOAT32 = 2;

    mapping(ModelId id => ModelSpec) private _models;

    /// @param stakeManager_ The StakeManager whose window bounds bound every model.
    constructor(IStakeManager stakeManager_) {
        STAKE_MANAGER = stakeManager_;
        // The bounds are immutable in the StakeManager: read them once.
        MAX_CHALLENGE_WINDOW = stakeManager_.maxChallengeWindow();
        MIN_RESPONSE_WINDOW = stakeManager_.minResponseWindow();
        MAX_RESPONSE_WINDOW = stakeManager_.maxResponseWindow();
        STRICT_FP32_POLICY_HASH = FloatPolicy.hash(FloatPolicy.strictFp32());
    }

    /// @inheritdoc IModelRegistry
    function stakeManager() external view returns (IStakeManager) {
        return STAKE_MANAGER;
    }

    /// @inheritdoc IModelRegistry
    function register(ModelSpec calldata spec) external returns (ModelId id) {
        _validate(spec);
        id = ModelId.wrap(keccak256(abi.encode(spec)));
        // INVARIANT: a model is registered once and never changes; a non-zero profile marks it present.
        require(_models[id].profile == 0, ModelAlreadyRegistered(id));
        _models[id] = spec;
        emit ModelRegistered(id, msg.sender, spec.fileHash, spec.graphRoot, spec.uri);
    }

    /// @inheritdoc IModelRegistry
    function model(ModelId id) external view returns (ModelSpec memory) {
        return _get(id);
    }

    /// @inheritdoc IModelRegistry
    function exists(ModelId id) external view returns (bool) {
        return _models[id].profile != 0;
    }

    /// @inheritdoc IModelRegistry
    function graphOf(ModelId id) external view returns (bytes32 graphRoot, uint32 nodeCount) {
        ModelSpec storage m = _get(id);
        return (m.graphRoot, m.nodeCount);
    }

    /// @inheritdoc IModelRegistry
    function numericsOf(ModelId id) external view returns (uint8 profile, bytes32 policyHash) {
        ModelSpec storage m = _models[id];
        return (m.profile, m.policyHash);
    }

    /// @inheritdoc IModelRegistry
    function params(ModelId id) external view returns (ModelParams memory) {
        return _get(id).params;
    }

    /// @inheritdoc IModelRegistry
    function inputSpec(ModelId id) external view returns (TensorSpec memory spec, ModelParams memory modelParams) {
        ModelSpec storage m = _get(id);
        return (m.input, m.params);
    }

    /// @inheritdoc IModelRegistry
    function outputSpec(ModelId id) external view returns (TensorSpec memory spec, ModelParams memory modelParams) {
        ModelSpec storage m = _get(id);
        return (m.output, m.params);
    }

    function _get(ModelId id) private view returns (ModelSpec storage m) {
        m = _models[id];
        require(m.profile != 0, UnknownModel(id));
    }

    function _validate(ModelSpec calldata spec) private view {
        uint8 profile = spec.profile;
        require(profile == PROFILE_EXACT_INT || profile == PROFILE_FLOAT32, UnsupportedProfile(profile));
        // INVARIANT: modelId binds the numerics policy every float bound of the model is computed
        // under, and only a policy the deployment's float checks implement can be bound.
        require(
            profile == PROFILE_EXACT_INT ? spec.policyHash == bytes32(0) : spec.policyHash == STRICT_FP32_POLICY_HASH,
            UnsupportedPolicy(profile, spec.policyHash)
        );
        require(spec.nodeCount != 0, ZeroNodeCount());
        ModelParams calldata p = spec.params;
        require(
            p.challengeWindow.raw() != 0 && p.challengeWindow.raw() <= MAX_CHALLENGE_WINDOW.raw(),
            ChallengeWindowOutOfRange(p.challengeWindow, MAX_CHALLENGE_WINDOW)
        );
        // INVARIANT: every dispute deadline leaves a party at least the protocol's minimum
        // response window (> 0), so no model can be registered to run honest providers out of time.
        require(
            p.responseWindow.raw() >= MIN_RESPONSE_WINDOW.raw() && p.responseWindow.raw() <= MAX_RESPONSE_WINDOW.raw(),
            ResponseWindowOutOfRange(p.responseWindow, MIN_RESPONSE_WINDOW, MAX_RESPONSE_WINDOW)
        );
        require(p.collateralPerJob != 0, ZeroCollateral());
        require(p.challengerBond != 0, ZeroChallengerBond());
        _validateTensor(spec.input, TensorRole.Input, profile);
        _validateTensor(spec.output, TensorRole.Output, profile);
    }

    function _validateTensor(TensorSpec calldata t, TensorRole role, uint8 profile) private pure {
        uint8 dtype = t.dtype;
        require(
            profile == PROFILE_EXACT_INT
                ? dtype == TensorCodec.UINT8 ||
                    dtype == TensorCodec.INT8 ||
                    dtype == TensorCodec.INT32 ||
                    dtype == TensorCodec.INT64
                : dtype == TensorCodec.FLOAT || (role == TensorRole.Output && dtype == TensorCodec.INT64),
            UnsupportedDtype(role, dtype)
        );
        require(t.layout == TensorCodec.ROW_MAJOR, NotRowMajor(role, t.layout));
        uint256 n = 1;
        uint256 rank = t.shape.length;
        for (uint256 axis; axis < rank; ++axis) {
            uint256 d = t.shape[axis];
            require(d != 0, ZeroDimension(role, axis));
            n *= d;
            require(n <= TensorCodec.MAX_ELEMENTS, TooManyElements(role, n));
        }
    }
}
