// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Graph, NodeDescriptor} from "../../../contracts/libraries/Graph.sol";

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
contract GraphVectorsTest is Test {
    struct GraphCase {
        NodeDescriptor[] descriptors;
        bytes32[][] proofs;
        bytes32 nodesRoot;
        bytes32 graphRoot;
        bytes32[] nodeRoots;
        bytes32 traceRoot;
        bytes modelSpec;
        bytes32 modelId;
    }

    GraphHarness internal h;
    GraphCase internal c;
    string internal json;

    function setUp() public {
        h = new GraphHarness();
        json = vm.readFile("test/vectors/graph.json");
        GraphCase memory m = abi.decode(vm.parseJsonBytes(json, ".abi"), (GraphCase));
        c.nodesRoot = m.nodesRoot;
        c.graphRoot = m.graphRoot;
        c.traceRoot = m.traceRoot;
        c.modelSpec = m.modelSpec;
        c.modelId = m.modelId;
        for (uint256 i; i < m.nodeRoots.length; ++i) c.nodeRoots.push(m.nodeRoots[i]);
    }

    function _load() internal view returns (GraphCase memory) {
        return abi.decode(vm.parseJsonBytes(json, ".abi"), (GraphCase));
    }

    function test_vectors_descriptorHashes_matchTypeScript() public view {
        GraphCase memory m = _load();
        for (uint256 i; i < m.descriptors.length; ++i) {
            bytes32 expected = vm.parseJsonBytes32(json, string.concat(".descriptors[", vm.toString(i), "].hash"));
            assertEq(Graph.descriptorHash(m.descriptors[i]), expected);
        }
    }

    function test_vectors_everyDescriptor_opensAgainstGraphRoot() public view {
        GraphCase memory m = _load();
        uint32 n = uint32(m.descriptors.length);
        assertEq(Graph.graphRoot(n, m.nodesRoot), m.graphRoot);
        for (uint256 i; i < n; ++i) h.verifyDescriptor(m.graphRoot, n, i, m.descriptors[i], m.proofs[i]);
    }

    function test_verifyDescriptor_wrongIndex_reverts() public {
        GraphCase memory m = _load();
        vm.expectPartialRevert(Graph.DescriptorMismatch.selector);
        h.verifyDescriptor(m.graphRoot, uint32(m.descriptors.length), 1, m.descriptors[0], m.proofs[0]);
    }

    function test_verifyDescriptor_alteredAttribute_reverts() public {
        GraphCase memory m = _load();
        m.descriptors[2].attrs[1] = 1;
        vm.expectPartialRevert(Graph.DescriptorMismatch.selector);
        h.verifyDescriptor(m.graphRoot, uint32(m.descriptors.length), 2, m.descriptors[2], m.proofs[2]);
    }

    function test_verifyDescriptor_indexPastGraph_reverts() public {
        GraphCase memory m = _load();
        vm.expectRevert(abi.encodeWithSelector(Graph.NodeOutOfRange.selector, 3, 3));
        h.verifyDescriptor(m.graphRoot, 3, 3, m.descriptors[0], m.proofs[0]);
    }

    function test_vectors_traceRoot_matchesTypeScript() public view {
        assertEq(Graph.traceRoot(c.nodeRoots), c.traceRoot);
    }

    function test_vectors_modelId_isHashOfEncodedSpec() public view {
        assertEq(keccak256(c.modelSpec), c.modelId);
    }
}
