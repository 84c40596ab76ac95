// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDisputeGame} from "../../../contracts/interfaces/IDisputeGame.sol";
import {Graph, NodeDescriptor, Operand} from "../../../contracts/libraries/Graph.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {Duration, ModelParams, ModelSpec, TensorSpec} from "../../../contracts/libraries/Types.sol";

/// @notice Merkle trees over 32-byte leaves (docs/PROTOCOL.md §3), kept level by level so
///         any subtree node, children list or range proof can be read off.
library Trees {
    /// @notice The packed bytes as `leaves` words (zero padded).
    function words(bytes memory packed, uint256 leaves) internal pure returns (bytes32[] memory w) {
        w = new bytes32[](leaves);
        uint256 len = packed.length;
        for (uint256 i; i * 32 < len; ++i) {
            bytes32 v;
            assembly ("memory-safe") {
                v := mload(add(add(packed, 32), mul(i, 32)))
            }
            uint256 rest = len - i * 32;
            if (rest < 32) v &= bytes32(~(type(uint256).max >> (rest * 8)));
            w[i] = v;
        }
    }

    /// @notice Every level of the tree over `leaves` (a power of two): levels[0] the leaves.
    function levels(bytes32[] memory leaves) internal pure returns (bytes32[][] memory lv) {
        uint256 depth;
        while ((uint256(1) << depth) < leaves.length) ++depth;
        lv = new bytes32[][](depth + 1);
        lv[0] = leaves;
        for (uint256 d = 1; d <= depth; ++d) {
            bytes32[] memory below = lv[d - 1];
            bytes32[] memory level = new bytes32[](below.length / 2);
            for (uint256 i; i < level.length; ++i) level[i] = hashPair(below[2 * i], below[2 * i + 1]);
            lv[d] = level;
        }
    }

    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }

    function root(bytes32[][] memory lv) internal pure returns (bytes32) {
        return lv[lv.length - 1][0];
    }

    /// @notice Leaves [first, first + count).
    function slice(bytes32[][] memory lv, uint256 first, uint256 count) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](count);
        for (uint256 i; i < count; ++i) out[i] = lv[0][first + i];
    }

    /// @notice The 2^min(4, level) descendants of node (level, index) that one reveal round opens.
    function children(
        bytes32[][] memory lv,
        uint256 level,
        uint256 index
    ) internal pure returns (bytes32[] memory out) {
        uint256 step = level < 4 ? level : 4;
        out = new bytes32[](1 << step);
        for (uint256 j; j < out.length; ++j) out[j] = lv[level - step][(index << step) + j];
    }

    /// @notice Range proof of leaves [first, last] (docs/PROTOCOL.md §3).
    function rangeProof(bytes32[][] memory lv, uint256 first, uint256 last) internal pure returns (bytes32[] memory p) {
        uint256 depth = lv.length - 1;
        p = new bytes32[](2 * depth);
        uint256 n;
        (uint256 lo, uint256 hi) = (first, last);
        for (uint256 d; d < depth; ++d) {
            if (lo % 2 == 1) p[n++] = lv[d][lo - 1];
            if (hi % 2 == 0) p[n++] = lv[d][hi + 1];
            lo /= 2;
            hi /= 2;
        }
        assembly ("memory-safe") {
            mstore(p, n)
        }
    }
}

/// @notice The small graph the dispute game's Solidity tests play on, and every run of it a
///         provider can commit: honest, or wrong in one of the ways the game must catch.
/// @dev Graph (3 nodes): x int8 [1,L] → node 0 Identity → int8 [1,L] (65 words: the k-ary
///      reveal, with a 10-byte tail and 63 padding leaves) → node 1 ArgMax(keepdims=1) →
///      int64 [1,1] (one word: a whole reveal, with a 24-byte tail) → node 2 Identity →
///      int64 [1,1], the model's output.
library DisputeData {
    uint32 internal constant L = 2070;
    uint256 internal constant NODES = 3;
    /// @notice Leaves of node 0's data tree (65 words padded to 128).
    uint256 internal constant LEAVES0 = 128;
    uint8 internal constant INT8 = 3;
    uint8 internal constant INT64 = 7;
    uint256 internal constant NONE = type(uint256).max;

    /// @notice Inconsistent: the committed output is not the last root of the run's own trace.
    enum Fault {
        None,
        WrongOutput,
        WrongArgMax,
        Flipped0,
        Inconsistent,
        JunkLeaf0,
        JunkTail0,
        JunkTail1
    }

    /// @notice A provider's run of the graph on one input: its node data, roots and commitment.
    struct Run {
        bytes input;
        bytes32[][] tree0;
        bytes32[][] tree1;
        bytes32[][] tree2;
        bytes32[] roots;
        bytes output;
        bytes32 outputRoot;
        /// @dev First node whose root differs from the honest run's (NONE when honest).
        uint256 faultNode;
        /// @dev The wrong element of node 0 (Flipped0).
        uint256 flipped;
    }

    // ------------------------------------------------------------------ graph

    function spec(uint8 dtype, uint32 a, uint32 b) internal pure returns (TensorSpec memory s) {
        s.dtype = dtype;
        s.shape = new uint32[](2);
        (s.shape[0], s.shape[1]) = (a, b);
    }

    function outSpec(uint256 i) internal pure returns (TensorSpec memory) {
        return i == 0 ? spec(INT8, 1, L) : spec(INT64, 1, 1);
    }

    function node(uint256 i) internal pure returns (NodeDescriptor memory d) {
        d.inputs = new Operand[](1);
        d.output = outSpec(i);
        if (i == 0) {
            d.opcode = 13;
            d.inputs[0] = Operand({source: Graph.JOB_INPUT, index: 0, root: bytes32(0), spec: spec(INT8, 1, L)});
        } else if (i == 1) {
            d.opcode = 15;
            d.inputs[0] = Operand({source: Graph.NODE_OUTPUT, index: 0, root: bytes32(0), spec: spec(INT8, 1, L)});
            d.attrs = new int64[](3);
            (d.attrs[0], d.attrs[1], d.attrs[2]) = (1, 1, 0);
        } else {
            d.opcode = 13;
            d.inputs[0] = Operand({source: Graph.NODE_OUTPUT, index: 1, root: bytes32(0), spec: spec(INT64, 1, 1)});
        }
    }

    function graphLevels() internal pure returns (bytes32[][] memory) {
        bytes32[] memory leaves = new bytes32[](4);
        for (uint256 i; i < NODES; ++i) leaves[i] = Graph.descriptorHash(node(i));
        return Trees.levels(leaves);
    }

    function graphRoot() internal pure returns (bytes32) {
        return Graph.graphRoot(uint32(NODES), Trees.root(graphLevels()));
    }

    function descriptorProof(uint256 i) internal pure returns (bytes32[] memory) {
        return Trees.rangeProof(graphLevels(), i, i);
    }

    function modelSpec(
        uint64 window,
        uint64 response,
        uint128 collateral,
        uint128 bond
    ) internal pure returns (ModelSpec memory s) {
        s.fileHash = keccak256("dispute-graph.onnx");
        s.graphRoot = graphRoot();
        s.nodeCount = uint32(NODES);
        s.profile = 1;
        s.input = spec(INT8, 1, L);
        s.output = outSpec(2);
        s.uri = "test://dispute-graph";
        s.params = ModelParams({
            challengeWindow: Duration.wrap(window),
            responseWindow: Duration.wrap(response),
            collateralPerJob: collateral,
            challengerBond: bond
        });
    }

    // ------------------------------------------------------------------ runs

    function input(uint256 seed) internal pure returns (bytes memory x) {
        x = new bytes(L);
        for (uint256 w; w * 32 < L; ++w) {
            bytes32 h = keccak256(abi.encode(seed, w));
            uint256 rest = L - w * 32;
            // The last word is cut at L bytes: nothing may be written past the data.
            if (rest < 32) h &= bytes32(~(type(uint256).max >> (rest * 8)));
            assembly ("memory-safe") {
                mstore(add(add(x, 32), mul(w, 32)), h)
            }
        }
    }

    /// @notice Index of the first maximum of the int8 values of `x`.
    function argMax(bytes memory x) internal pure returns (uint64 best) {
        int8 top = int8(uint8(x[0]));
        for (uint256 i = 1; i < x.length; ++i) {
            int8 v = int8(uint8(x[i]));
            if (v > top) (top, best) = (v, uint64(i));
        }
    }

    function int64Bytes(uint64 v) internal pure returns (bytes memory) {
        return abi.encodePacked(v);
    }

    /// @notice The run a provider commits on input `seed`, honest or with fault `f`.
    function run(uint256 seed, Fault f) internal pure returns (Run memory r) {
        r.input = input(seed);
        r.faultNode = NONE;
        bytes memory out0 = r.input;
        if (f == Fault.Flipped0) {
            out0 = bytes.concat(r.input);
            r.flipped = uint256(keccak256(abi.encode(seed, "flip"))) % L;
            unchecked {
                out0[r.flipped] = bytes1(uint8(out0[r.flipped]) + 1);
            }
            r.faultNode = 0;
        }
        uint64 a = argMax(out0);
        bytes memory out1 = int64Bytes(f == Fault.WrongArgMax ? a + 1 : a);
        bytes memory out2 = f == Fault.WrongOutput ? int64Bytes(a + 1) : out1;
        if (f == Fault.WrongArgMax) r.faultNode = 1;
        if (f == Fault.WrongOutput) r.faultNode = 2;

        bytes32[] memory w0 = Trees.words(out0, LEAVES0);
        bytes32[] memory w1 = Trees.words(out1, 1);
        if (f == Fault.JunkLeaf0) {
            w0[100] = bytes32(uint256(0xbad));
            r.faultNode = 0;
        } else if (f == Fault.JunkTail0) {
            w0[64] |= bytes32(uint256(1));
            r.faultNode = 0;
        } else if (f == Fault.JunkTail1) {
            w1[0] |= bytes32(uint256(1));
            r.faultNode = 1;
        }
        r.tree0 = Trees.levels(w0);
        r.tree1 = Trees.levels(w1);
        r.tree2 = Trees.levels(Trees.words(out2, 1));
        r.roots = new bytes32[](NODES);
        r.roots[0] = TensorCodec.tensorRoot(outSpec(0), Trees.root(r.tree0));
        r.roots[1] = TensorCodec.tensorRoot(outSpec(1), Trees.root(r.tree1));
        r.roots[2] = TensorCodec.tensorRoot(outSpec(2), Trees.root(r.tree2));
        r.output = out2;
        if (f == Fault.Inconsistent) {
            r.output = int64Bytes(a + 1);
            r.faultNode = 2;
        }
        r.outputRoot = TensorCodec.rootOfPacked(outSpec(2), r.output);
    }

    function tree(Run memory r, uint256 i) internal pure returns (bytes32[][] memory) {
        return i == 0 ? r.tree0 : (i == 1 ? r.tree1 : r.tree2);
    }

    /// @notice Words of node `i` (its whole reveal).
    function nodeWords(Run memory r, uint256 i) internal pure returns (bytes32[] memory) {
        return Trees.slice(tree(r, i), 0, i == 0 ? 65 : 1);
    }
}

/// @notice One-step proofs on the dispute graph.
library DisputeProofs {
    /// @notice The proof of element `outIndex` of node `i`, claimed from `provided`'s data
    ///         and opened from `honest`'s (the challenger's) operands.
    function proof(
        DisputeData.Run memory provided,
        DisputeData.Run memory honest,
        uint256 i,
        uint256 outIndex
    ) internal pure returns (IDisputeGame.OneStepProof memory p) {
        p.node = DisputeData.node(i);
        p.nodeRoots = provided.roots;
        p.outIndex = outIndex;
        p.outWordIndex = i == 0 ? outIndex / 32 : 0;
        p.outWord = DisputeData.tree(provided, i)[0][p.outWordIndex];
        // Node 0 is opened down to one word, nodes 1 and 2 are one word: the claimed word is the anchor.
        p.outProof = new bytes32[](0);
        p.operands = new TensorCodec.RangeOpening[](1);
        if (i == 0) {
            uint256 w = outIndex / 32;
            p.operands[0] = TensorCodec.RangeOpening({
                firstWord: w,
                words: Trees.slice(honest.tree0, w, 1),
                proof: Trees.rangeProof(honest.tree0, w, w)
            });
        } else if (i == 1) {
            p.operands[0] = TensorCodec.RangeOpening({
                firstWord: 0,
                words: Trees.slice(honest.tree0, 0, 65),
                proof: Trees.rangeProof(honest.tree0, 0, 64)
            });
        } else {
            p.operands[0] = TensorCodec.RangeOpening({
                firstWord: 0,
                words: Trees.slice(honest.tree1, 0, 1),
                proof: new bytes32[](0)
            });
        }
    }
}
