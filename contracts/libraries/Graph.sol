// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorSpec} from "./Types.sol";
import {TensorCodec} from "./TensorCodec.sol";

/// @notice Where an operand of a node comes from (docs/PROTOCOL.md §5).
/// @dev ABSENT = 0, JOB_INPUT = 1, NODE_OUTPUT = 2, CONSTANT = 3.
struct Operand {
    uint8 source;
    uint32 index;
    bytes32 root;
    TensorSpec spec;
}

/// @notice One node of a model graph: its operator, operands, output and attributes.
struct NodeDescriptor {
    uint8 opcode;
    Operand[] inputs;
    TensorSpec output;
    int64[] attrs;
}

/// @title Graph
/// @notice Node descriptors, graphRoot and traceRoot (docs/PROTOCOL.md §5, §7).
library Graph {
    uint8 internal constant ABSENT = 0;
    uint8 internal constant JOB_INPUT = 1;
    uint8 internal constant NODE_OUTPUT = 2;
    uint8 internal constant CONSTANT = 3;

    /// @notice The descriptor does not open against the graph root.
    /// @param index The node index claimed.
    /// @param expected The model's graph root.
    /// @param actual The root the proof reached.
    error DescriptorMismatch(uint256 index, bytes32 expected, bytes32 actual);
    /// @notice A node index outside the graph.
    /// @param index The node index given.
    /// @param nodeCount The number of nodes.
    error NodeOutOfRange(uint256 index, uint256 nodeCount);

    /// @notice keccak256(abi.encode(descriptor)).
    function descriptorHash(NodeDescriptor memory d) internal pure returns (bytes32) {
        return keccak256(abi.encode(d));
    }

    /// @notice graphRoot = keccak256(abi.encode(uint32 nodeCount, bytes32 nodesRoot)).
    function graphRoot(uint32 nodeCount, bytes32 nodesRoot) internal pure returns (bytes32) {
        return keccak256(abi.encode(nodeCount, nodesRoot));
    }

    /// @notice Reverts unless `d` is node `index` of the graph committed by `root`.
    function verifyDescriptor(
        bytes32 root,
        uint32 nodeCount,
        uint256 index,
        NodeDescriptor memory d,
        bytes32[] memory proof
    ) internal pure {
        if (index >= nodeCount) revert NodeOutOfRange(index, nodeCount);
        bytes32[] memory leaf = new bytes32[](1);
        leaf[0] = descriptorHash(d);
        bytes32 nodesRoot = TensorCodec.rootFromRange(index, leaf, proof, TensorCodec.depthOf(nodeCount));
        bytes32 reached = graphRoot(nodeCount, nodesRoot);
        if (reached != root) revert DescriptorMismatch(index, root, reached);
    }

    /// @notice traceRoot = keccak256(nodeRoots[0] ‖ … ‖ nodeRoots[N-1]): the hash the dispute game
    ///         stores when the provider posts its roots (Dispute.rootsHash).
    function traceRoot(bytes32[] memory nodeRoots) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(nodeRoots));
    }
}
