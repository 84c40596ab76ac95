// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {FloatDot} from "../../../contracts/ops/float/FloatDot.sol";
import {FloatMean} from "../../../contracts/ops/float/FloatMean.sol";
import {FloatMultiOpening} from "../../../contracts/ops/float/FloatMultiOpening.sol";
import {FloatOneStep} from "../../../contracts/ops/float/FloatOneStep.sol";
import {FloatPolicy, NumericsPolicy} from "../../../contracts/ops/float/FloatPolicy.sol";
import {FloatSum} from "../../../contracts/ops/float/FloatSum.sol";

/// @notice The float profile's golden vectors (test/vectors/float.json, scripts/vectors-float.ts,
///         docs/PROTOCOL.md §10-§11) against FloatOneStep: every element's verdict must be the
///         TypeScript reference's — honest claims, claims on both sides of the bound, special
///         values, unchecked elements — and the hints the reference refuses must revert.
contract FloatVectorsTest is Test {
    uint256 internal constant REVERTS = 255;

    // Field order is alphabetical: forge decodes JSON objects into tuples by sorted key.
    struct DotCase {
        bytes32[] a;
        uint256 alpha;
        uint256 aoff;
        bytes32[] b;
        uint256 beta;
        uint256 bias;
        uint256 boff;
        uint256 claimed;
        bool hasbias;
        string hint;
        uint256 k;
        string name;
        uint256 verdict;
    }

    struct MeanCase {
        uint256 claimed;
        uint256 count;
        uint256 divisor;
        string hint;
        string name;
        uint256 offset;
        uint256 verdict;
        bytes32[] words;
    }

    struct ElementwiseCase {
        uint256 a;
        uint256 b;
        uint256 claimed;
        string name;
        uint256 op;
        uint256 verdict;
    }

    struct CompareCase {
        uint256 claimed;
        uint256 kind;
        bool last;
        string name;
        uint256 verdict;
        uint256[] xs;
    }

    struct MultiOpeningCase {
        uint256 depth;
        uint256[] indices;
        bytes32[] leaves;
        string name;
        bytes32[] proof;
        bytes32 root;
    }

    struct RevertCase {
        bytes error;
        bytes input;
        string name;
    }

    struct OperatorCase {
        bytes input;
        string name;
        uint256 verdict;
    }

    FloatOneStep internal verifier;
    NumericsPolicy internal policy;
    string internal json;

    function setUp() public {
        verifier = new FloatOneStep();
        policy = FloatPolicy.strictFp32();
        json = vm.readFile("test/vectors/float.json");
    }

    function test_vectors_policyHash_matchesReference() public view {
        assertEq(abi.encode(policy), vm.parseJsonBytes(json, ".policy.encoded"));
        assertEq(FloatPolicy.hash(policy), vm.parseJsonBytes32(json, ".policy.hash"));
    }

    function test_vectors_dot_matchReference() public view {
        DotCase[] memory cases = abi.decode(vm.parseJson(json, ".dot"), (DotCase[]));
        uint256[3] memory seen;
        for (uint256 i; i < cases.length; ++i) {
            DotCase memory c = cases[i];
            FloatDot.Element memory e = FloatDot.Element(
                c.a,
                c.aoff,
                c.b,
                c.boff,
                c.k,
                FloatDot.Gemm(c.hasbias, uint32(c.bias), uint32(c.alpha), uint32(c.beta)),
                uint32(c.claimed),
                vm.parseInt(c.hint)
            );
            try verifier.dotVerdict(e, policy) returns (uint8 v) {
                assertEq(v, c.verdict, c.name);
                assertEq(verifier.dotViolates(e, policy), v == 1, c.name);
                ++seen[v];
            } catch (bytes memory reason) {
                assertEq(c.verdict, REVERTS, c.name);
                assertEq(bytes4(reason), FloatSum.InvalidHint.selector, c.name);
            }
        }
        assertGt(seen[0], 40);
        assertGt(seen[1], 40);
        assertGt(seen[2], 2);
    }

    function test_vectors_mean_matchReference() public view {
        MeanCase[] memory cases = abi.decode(vm.parseJson(json, ".mean"), (MeanCase[]));
        uint256[3] memory seen;
        for (uint256 i; i < cases.length; ++i) {
            MeanCase memory c = cases[i];
            FloatMean.Window memory w = FloatMean.Window(
                c.words,
                c.offset,
                c.count,
                c.divisor,
                uint32(c.claimed),
                vm.parseInt(c.hint)
            );
            uint8 v = verifier.meanVerdict(w, policy);
            assertEq(v, c.verdict, c.name);
            ++seen[v];
        }
        assertGt(seen[0], 20);
        assertGt(seen[1], 20);
        assertGt(seen[2], 0);
    }

    function test_vectors_elementwise_matchReference() public view {
        ElementwiseCase[] memory cases = abi.decode(vm.parseJson(json, ".elementwise"), (ElementwiseCase[]));
        uint256[3] memory seen;
        for (uint256 i; i < cases.length; ++i) {
            ElementwiseCase memory c = cases[i];
            uint8 v = verifier.elementwiseVerdict(uint8(c.op), uint32(c.a), uint32(c.b), uint32(c.claimed), policy);
            assertEq(v, c.verdict, c.name);
            ++seen[v];
        }
        assertGt(seen[0], 80);
        assertGt(seen[1], 80);
        assertGt(seen[2], 2);
    }

    function test_vectors_compare_matchReference() public view {
        CompareCase[] memory cases = abi.decode(vm.parseJson(json, ".compare"), (CompareCase[]));
        for (uint256 i; i < cases.length; ++i) {
            CompareCase memory c = cases[i];
            uint32[] memory xs = new uint32[](c.xs.length);
            for (uint256 j; j < xs.length; ++j) xs[j] = uint32(c.xs[j]);
            uint8 v;
            if (c.kind == 0) v = verifier.reluVerdict(xs[0], uint32(c.claimed));
            else if (c.kind == 3) v = verifier.argMaxVerdict(xs, c.last, c.claimed);
            else v = verifier.extremumVerdict(xs, c.kind == 1, uint32(c.claimed));
            assertEq(v, c.verdict, c.name);
        }
        assertGt(cases.length, 40);
    }

    function rootFromWords(
        uint256[] memory indices,
        bytes32[] memory leaves,
        bytes32[] memory proof,
        uint256 depth
    ) external pure returns (bytes32) {
        return FloatMultiOpening.rootFromWords(indices, leaves, proof, depth);
    }

    function test_vectors_multiOpening_reachRoot() public view {
        MultiOpeningCase[] memory cases = abi.decode(vm.parseJson(json, ".multiOpening"), (MultiOpeningCase[]));
        for (uint256 i; i < cases.length; ++i) {
            MultiOpeningCase memory c = cases[i];
            assertEq(this.rootFromWords(c.indices, c.leaves, c.proof, c.depth), c.root, c.name);
        }
        assertGt(cases.length, 20);
    }

    /// @dev Each case is the encoded call to FloatOneStep (src/float/abi.ts) and the reference's verdict.
    function test_vectors_operators_matchReference() public view {
        OperatorCase[] memory cases = abi.decode(vm.parseJson(json, ".operators"), (OperatorCase[]));
        uint256[3] memory seen;
        for (uint256 i; i < cases.length; ++i) {
            OperatorCase memory c = cases[i];
            (bool ok, bytes memory ret) = address(verifier).staticcall(c.input);
            assertTrue(ok, c.name);
            uint8 v = abi.decode(ret, (uint8));
            assertEq(v, c.verdict, c.name);
            ++seen[v];
        }
        assertGt(seen[0], 100);
        assertGt(seen[1], 150);
        assertGt(seen[2], 3);
    }

    /// @dev Each case is a call FloatOneStep must refuse, with the error it must refuse it with.
    function test_vectors_refusedCalls_revertWithTheirError() public view {
        RevertCase[] memory cases = abi.decode(vm.parseJson(json, ".reverts"), (RevertCase[]));
        for (uint256 i; i < cases.length; ++i) {
            RevertCase memory c = cases[i];
            (bool ok, bytes memory ret) = address(verifier).staticcall(c.input);
            assertFalse(ok, c.name);
            assertEq(bytes4(ret), bytes4(c.error), c.name);
        }
        assertGt(cases.length, 30);
    }
}
