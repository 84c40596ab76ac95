// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Duration, ModelId, ModelParams, ModelSpec, TensorSpec} from "../libraries/Types.sol";
import {IStakeManager} from "./IStakeManager.sol";

/// @title IModelRegistry
/// @notice Permissionless, append-only registry of models (docs/PROTOCOL.md §7). A model
///         is its ModelSpec; its id is keccak256(abi.encode(spec)), so the id binds the
///         ONNX file, the graph, the input and output specs and the economic parameters,
///         and a registered model can never change. Watchers recompute every root from
///         the file and refuse models whose registration does not match.
interface IModelRegistry {
    /// @notice Which tensor of the spec an error is about.
    enum TensorRole {
        Input,
        Output
    }

    /// @notice The spec is already registered.
    /// @param existing Its id.
    error ModelAlreadyRegistered(ModelId existing);
    /// @notice No model with this id.
    /// @param id The id asked for.
    error UnknownModel(ModelId id);
    /// @notice Only profiles 1 (exact integer) and 2 (float32) exist.
    /// @param profile The profile given.
    error UnsupportedProfile(uint8 profile);
    /// @notice The numerics policy hash does not fit the profile: the exact integer profile
    ///         has none (zero), the float32 profile needs one this deployment checks (the
    ///         strict fp32 policy of docs/PROTOCOL.md §11.2).
    /// @param profile The profile given.
    /// @param policyHash The policy hash given.
    error UnsupportedPolicy(uint8 profile, bytes32 policyHash);
    /// @notice A graph needs at least one node.
    error ZeroNodeCount();
    /// @notice The challenge window is 0 or above the StakeManager's cap.
    /// @param window The window given.
    /// @param max The cap.
    error ChallengeWindowOutOfRange(Duration window, Duration max);
    /// @notice The response window is below the StakeManager's minimum (a window the chain
    ///         cannot be relied on to include a move in) or above its cap.
    /// @param window The window given.
    /// @param min The minimum.
    /// @param max The cap.
    error ResponseWindowOutOfRange(Duration window, Duration min, Duration max);
    /// @notice collateralPerJob must be positive: a free fault is no deterrent.
    error ZeroCollateral();
    /// @notice challengerBond must be positive: free challenges are spam.
    error ZeroChallengerBond();
    /// @notice The dtype is not one the profile allows: uint8 (2), int8 (3), int32 (6), int64 (7)
    ///         for the exact integer profile; for float32, a float (1) input and a float (1) or
    ///         int64 (7) output.
    /// @param role Input or output.
    /// @param dtype The dtype given.
    error UnsupportedDtype(TensorRole role, uint8 dtype);
    /// @notice The job input and the output are committed row-major (layout 0).
    /// @param role Input or output.
    /// @param layout The layout given.
    error NotRowMajor(TensorRole role, uint8 layout);
    /// @notice A shape dimension of zero.
    /// @param role Input or output.
    /// @param axis The axis.
    error ZeroDimension(TensorRole role, uint256 axis);
    /// @notice More than 2^26 elements (docs/PROTOCOL.md §2).
    /// @param role Input or output.
    /// @param elements The element count reached when the bound was crossed.
    error TooManyElements(TensorRole role, uint256 elements);

    /// @notice A model was registered.
    /// @param id Its id.
    /// @param registrant Who registered it.
    /// @param fileHash keccak256 of the ONNX file.
    /// @param graphRoot Root over its node descriptors.
    /// @param uri Where the file can be fetched.
    event ModelRegistered(
        ModelId indexed id,
        address indexed registrant,
        bytes32 fileHash,
        bytes32 graphRoot,
        string uri
    );

    /// @notice The StakeManager whose window bounds bound every model's windows.
    function stakeManager() external view returns (IStakeManager);

    /// @notice Registers a model. Permissionless and immutable.
    /// @param spec The model (docs/PROTOCOL.md §7).
    /// @return id keccak256(abi.encode(spec)).
    function register(ModelSpec calldata spec) external returns (ModelId id);

    /// @notice A registered model's full spec. Reverts `UnknownModel` if absent.
    function model(ModelId id) external view returns (ModelSpec memory);

    /// @notice Whether a model is registered.
    function exists(ModelId id) external view returns (bool);

    /// @notice A registered model's graph commitment: what a dispute proves node descriptors
    ///         against (docs/PROTOCOL.md §5). Reverts `UnknownModel` if absent.
    function graphOf(ModelId id) external view returns (bytes32 graphRoot, uint32 nodeCount);

    /// @notice What a dispute over a model's node is judged by (docs/PROTOCOL.md §7): its
    ///         profile (1 exact integer, 2 float32; 0 if not registered) and its numerics
    ///         policy's hash (zero for the exact integer profile).
    function numericsOf(ModelId id) external view returns (uint8 profile, bytes32 policyHash);

    /// @notice A registered model's economic parameters. Reverts `UnknownModel` if absent.
    function params(ModelId id) external view returns (ModelParams memory);

    /// @notice A registered model's input spec and parameters (what a request needs).
    ///         Reverts `UnknownModel` if absent.
    function inputSpec(ModelId id) external view returns (TensorSpec memory spec, ModelParams memory modelParams);

    /// @notice A registered model's output spec and parameters (what a commit needs).
    ///         Reverts `UnknownModel` if absent.
    function outputSpec(ModelId id) external view returns (TensorSpec memory spec, ModelParams memory modelParams);
}
