// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Graph, NodeDescriptor} from "../../../contracts/libraries/Graph.sol";
import {ModelSpec} from "../../../contracts/libraries/Types.sol";
import {FloatPolicy} from "../../../contracts/ops/float/FloatPolicy.sol";

contract GraphHarness {
    function verifyDescriptor(
        bytes32 root,
        uint32 n,
        uint256 i,
        NodeDescriptor memory d,
        bytes32[] memory proof
    ) external pure {
        Graph.verifyDescriptor(root, n, i, d, proof);
    }
}

/// @notice The Solidity side of the golden graph vector (docs/PROTOCOL.md §10).
/// @dev Each descriptor is read from its own `encoded` field (abi.encode of one
///      descriptor) rather than the whole case at once: the ABI decoder of the whole
///      case exceeds the legacy code generator's stack.
contract GraphVectorsTest is Test {
    GraphHarness internal h;
    string internal json;
    uint32 internal n;
    bytes32 internal graphRoot;

    function setUp() public {
        h = new GraphHarness();
        json = vm.readFile("test/vectors/graph.json");
        n = uint32(vm.parseJsonUint(json, ".nodeCount"));
        graphRoot = vm.parseJsonBytes32(json, ".graphRoot");
    }

    function _descriptor(uint256 i) internal view returns (NodeDescriptor memory) {
        return abi.decode(vm.parseJsonBytes(json, _key(i, "encoded")), (NodeDescriptor));
    }

    function _proof(uint256 i) internal view returns (bytes32[] memory) {
        return vm.parseJsonBytes32Array(json, _key(i, "proof"));
    }

    function _key(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".descriptors[", vm.toString(i), "].", field);
    }

    function test_vectors_descriptorHashes_matchTypeScript() public view {
        assertEq(n, 3);
        for (uint256 i; i < n; ++i) {
            assertEq(Graph.descriptorHash(_descriptor(i)), vm.parseJsonBytes32(json, _key(i, "hash")));
        }
    }

    function test_vectors_everyDescriptor_opensAgainstGraphRoot() public view {
        assertEq(Graph.graphRoot(n, vm.parseJsonBytes32(json, ".nodesRoot")), graphRoot);
        for (uint256 i; i < n; ++i) h.verifyDescriptor(graphRoot, n, i, _descriptor(i), _proof(i));
    }

    function test_verifyDescriptor_wrongIndex_reverts() public {
        NodeDescriptor memory d = _descriptor(0);
        bytes32[] memory proof = _proof(0);
        vm.expectPartialRevert(Graph.DescriptorMismatch.selector);
        h.verifyDescriptor(graphRoot, n, 1, d, proof);
    }

    function test_verifyDescriptor_alteredAttribute_reverts() public {
        NodeDescriptor memory d = _descriptor(2);
        bytes32[] memory proof = _proof(2);
        d.attrs[1] = 1;
        vm.expectPartialRevert(Graph.DescriptorMismatch.selector);
        h.verifyDescriptor(graphRoot, n, 2, d, proof);
    }

    function test_verifyDescriptor_indexPastGraph_reverts() public {
        NodeDescriptor memory d = _descriptor(0);
        bytes32[] memory proof = _proof(0);
        vm.expectRevert(abi.encodeWithSelector(Graph.NodeOutOfRange.selector, 3, 3));
        h.verifyDescriptor(graphRoot, 3, 3, d, proof);
    }

    function test_vectors_traceRoot_matchesTypeScript() public view {
        bytes32[] memory nodeRoots = vm.parseJsonBytes32Array(json, ".nodeRoots");
        assertEq(nodeRoots.length, n);
        assertEq(Graph.traceRoot(nodeRoots), vm.parseJsonBytes32(json, ".traceRoot"));
    }

    /// @dev The formula of JobManager's commitment hash (checked against the contract in
    ///      JobManagerTest): only the output is committed, no trace.
    function test_vectors_commitmentHash_matchesTypeScript() public view {
        uint256 jobId = vm.parseUint(vm.parseJsonString(json, ".commitment.jobId"));
        address provider = vm.parseJsonAddress(json, ".commitment.provider");
        bytes32 outputRoot = vm.parseJsonBytes32(json, ".commitment.outputRoot");
        assertEq(outputRoot, vm.parseJsonBytes32Array(json, ".nodeRoots")[n - 1], "the output is the last node's");
        assertEq(keccak256(abi.encode(jobId, provider, outputRoot)), vm.parseJsonBytes32(json, ".commitment.hash"));
    }

    function test_vectors_modelId_isHashOfEncodedSpec() public view {
        bytes memory encoded = vm.parseJsonBytes(json, ".modelSpec");
        assertEq(keccak256(encoded), vm.parseJsonBytes32(json, ".modelId"));
        // The TypeScript encoding is Solidity's ModelSpec, field for field.
        ModelSpec memory spec = abi.decode(encoded, (ModelSpec));
        assertEq(keccak256(abi.encode(spec)), vm.parseJsonBytes32(json, ".modelId"));
        assertEq(spec.profile, 1);
        assertEq(spec.policyHash, bytes32(0), "the exact integer profile binds no policy");
    }

    function test_vectors_floatModelId_bindsTheStrictPolicy() public view {
        ModelSpec memory spec = abi.decode(vm.parseJsonBytes(json, ".floatModelSpec"), (ModelSpec));
        assertEq(keccak256(abi.encode(spec)), vm.parseJsonBytes32(json, ".floatModelId"));
        assertEq(spec.profile, 2);
        assertEq(spec.policyHash, FloatPolicy.hash(FloatPolicy.strictFp32()));
        assertEq(spec.policyHash, vm.parseJsonBytes32(json, ".floatPolicyHash"));
        assertEq(spec.input.dtype, 1);
    }
}
