// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// The shared vocabulary of the protocol: value types for every id, time and duration
// (so the compiler stops a job id going where a model id belongs), and the structs of
// docs/PROTOCOL.md §2 and §7. A value type ABI-encodes as its underlying type, so
// `keccak256(abi.encode(ModelSpec))` is exactly the modelId of docs/PROTOCOL.md §7.

/// @notice A job, numbered from 1 by the JobManager in request order (0 is no job).
type JobId is uint256;

/// @notice A registered model: keccak256(abi.encode(ModelSpec)).
type ModelId is bytes32;

/// @notice A point in time, in seconds since the Unix epoch (block.timestamp).
type Timestamp is uint64;

/// @notice A length of time in seconds.
type Duration is uint64;

/// @notice A tensor's dtype, layout and shape (docs/PROTOCOL.md §2).
/// @param dtype ONNX dtype code: 2 uint8, 3 int8, 6 int32, 7 int64.
/// @param layout 0 row-major, 1 last two axes transposed.
/// @param shape The dimensions, each ≥ 1; empty for a scalar.
struct TensorSpec {
    uint8 dtype;
    uint8 layout;
    uint32[] shape;
}

/// @notice A model's economic parameters (docs/PROTOCOL.md §7).
/// @param challengeWindow How long after a commit anyone may challenge it.
/// @param responseWindow How long each party has for each dispute move.
/// @param collateralPerJob Stake a provider locks per committed job; what a proven fault costs it.
/// @param challengerBond What a challenger posts; lost to the provider when it cannot prove fraud.
struct ModelParams {
    Duration challengeWindow;
    Duration responseWindow;
    uint128 collateralPerJob;
    uint128 challengerBond;
}

/// @notice Everything a model registration binds (docs/PROTOCOL.md §7).
/// @param fileHash keccak256 of the ONNX file.
/// @param graphRoot Root over the node descriptors (docs/PROTOCOL.md §5).
/// @param nodeCount Number of nodes of the graph.
/// @param profile 1 = exact integer, 2 = float32.
/// @param policyHash keccak256(abi.encode(NumericsPolicy)) for the float32 profile (docs/PROTOCOL.md
///        §11.2); zero for the exact integer profile.
/// @param input The job input (row-major).
/// @param output The last node's output (row-major).
/// @param uri Where the ONNX file can be fetched.
/// @param params The economic parameters.
struct ModelSpec {
    bytes32 fileHash;
    bytes32 graphRoot;
    uint32 nodeCount;
    uint8 profile;
    bytes32 policyHash;
    TensorSpec input;
    TensorSpec output;
    string uri;
    ModelParams params;
}

/// @notice Where a job is in its life. It only ever moves forward:
///         None → Requested → (Committed → (Finalized | Slashed)) | Expired.
///         A dispute in progress is the job's `frozen` flag, not a status.
enum JobStatus {
    None,
    Requested,
    Committed,
    Finalized,
    Slashed,
    Expired
}

/// @notice Helpers for {JobId}.
library LibJobId {
    /// @notice The underlying number.
    function raw(JobId self) internal pure returns (uint256) {
        return JobId.unwrap(self);
    }
}

/// @notice Helpers for {ModelId}.
library LibModelId {
    /// @notice The underlying hash.
    function raw(ModelId self) internal pure returns (bytes32) {
        return ModelId.unwrap(self);
    }

    /// @notice modelId = keccak256(abi.encode(spec)) (docs/PROTOCOL.md §7).
    function fromSpec(ModelSpec memory spec) internal pure returns (ModelId) {
        return ModelId.wrap(keccak256(abi.encode(spec)));
    }
}

/// @notice Helpers for {Timestamp}.
library LibTimestamp {
    /// @notice The underlying seconds.
    function raw(Timestamp self) internal pure returns (uint64) {
        return Timestamp.unwrap(self);
    }

    /// @notice The current block's timestamp.
    function current() internal view returns (Timestamp) {
        return Timestamp.wrap(uint64(block.timestamp));
    }

    /// @notice `self` moved `d` later.
    function plus(Timestamp self, Duration d) internal pure returns (Timestamp) {
        return Timestamp.wrap(Timestamp.unwrap(self) + Duration.unwrap(d));
    }

    /// @notice Whether `self` is strictly before the current block's timestamp.
    function isPast(Timestamp self) internal view returns (bool) {
        return Timestamp.unwrap(self) < block.timestamp;
    }

    /// @notice Whether the current block's timestamp has reached `self`.
    function isReached(Timestamp self) internal view returns (bool) {
        return block.timestamp >= Timestamp.unwrap(self);
    }
}

/// @notice Helpers for {Duration}.
library LibDuration {
    /// @notice The underlying seconds.
    function raw(Duration self) internal pure returns (uint64) {
        return Duration.unwrap(self);
    }
}

using LibJobId for JobId global;
using LibModelId for ModelId global;
using LibTimestamp for Timestamp global;
using LibDuration for Duration global;
using {jobIdEq as ==, jobIdNeq as !=} for JobId global;
using {modelIdEq as ==, modelIdNeq as !=} for ModelId global;
using {timestampLt as <, timestampLte as <=, timestampGt as >, timestampGte as >=} for Timestamp global;

function jobIdEq(JobId a, JobId b) pure returns (bool) {
    return JobId.unwrap(a) == JobId.unwrap(b);
}

function jobIdNeq(JobId a, JobId b) pure returns (bool) {
    return JobId.unwrap(a) != JobId.unwrap(b);
}

function modelIdEq(ModelId a, ModelId b) pure returns (bool) {
    return ModelId.unwrap(a) == ModelId.unwrap(b);
}

function modelIdNeq(ModelId a, ModelId b) pure returns (bool) {
    return ModelId.unwrap(a) != ModelId.unwrap(b);
}

function timestampLt(Timestamp a, Timestamp b) pure returns (bool) {
    return Timestamp.unwrap(a) < Timestamp.unwrap(b);
}

function timestampLte(Timestamp a, Timestamp b) pure returns (bool) {
    return Timestamp.unwrap(a) <= Timestamp.unwrap(b);
}

function timestampGt(Timestamp a, Timestamp b) pure returns (bool) {
    return Timestamp.unwrap(a) > Timestamp.unwrap(b);
}

function timestampGte(Timestamp a, Timestamp b) pure returns (bool) {
    return Timestamp.unwrap(a) >= Timestamp.unwrap(b);
}
