// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IFloatStepVerifier} from "../../../contracts/interfaces/IFloatStepVerifier.sol";
import {IOneStepVerifier} from "../../../contracts/interfaces/IOneStepVerifier.sol";
import {NodeDescriptor} from "../../../contracts/libraries/Graph.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {Opcodes} from "../../../contracts/ops/Opcodes.sol";
import {FloatOperand} from "../../../contracts/ops/float/FloatOperand.sol";
import {FloatPolicy, NumericsPolicy} from "../../../contracts/ops/float/FloatPolicy.sol";
import {FloatDotStep} from "../../../contracts/ops/float/step/FloatDotStep.sol";
import {FloatPointwiseStep} from "../../../contracts/ops/float/step/FloatPointwiseStep.sol";
import {FloatStep} from "../../../contracts/ops/float/step/FloatStep.sol";
import {FloatStepVerifier} from "../../../contracts/ops/float/step/FloatStepVerifier.sol";
import {FloatWindowStep} from "../../../contracts/ops/float/step/FloatWindowStep.sol";

/// @notice FloatStepVerifier (docs/PROTOCOL.md §11.10) against the golden vectors of
///         test/vectors/float-step.json (scripts/vectors-float-step.ts): every routed element's
///         verdict must be the TypeScript twin's, with specs and attributes from the descriptor;
///         and the attacks a dispute could try must revert or be judged: another policy, a
///         missing root, an opening of another word, a claim 1.1·B away, a grouped Conv, an
///         opcode outside the profile.
contract FloatStepVerifierTest is Test {
    // Field order is alphabetical: forge decodes JSON objects into tuples by sorted key.
    struct Case {
        string claimed;
        string name;
        bytes node;
        bytes32[] operandRoots;
        uint256 outIndex;
        bytes proof;
        uint256 verdict;
    }

    struct RevertCase {
        string claimed;
        bytes error;
        string name;
        bytes node;
        bytes32[] operandRoots;
        uint256 outIndex;
        bytes proof;
    }

    FloatStepVerifier internal verifier;
    Case[] internal cases;
    string internal json;
    bytes32 internal policyHash;

    function setUp() public {
        verifier = new FloatStepVerifier(new FloatDotStep(), new FloatWindowStep(), new FloatPointwiseStep());
        json = vm.readFile("test/vectors/float-step.json");
        Case[] memory all = abi.decode(vm.parseJson(json, ".cases"), (Case[]));
        for (uint256 i; i < all.length; ++i) cases.push(all[i]);
        policyHash = vm.parseJsonBytes32(json, ".policy.hash");
    }

    function _call(Case memory c) internal view returns (uint8) {
        return
            verifier.verdict(
                abi.decode(c.node, (NodeDescriptor)),
                c.operandRoots,
                c.outIndex,
                vm.parseInt(c.claimed),
                c.proof,
                policyHash
            );
    }

    /// @dev The first case whose name starts with `prefix`.
    function _case(string memory prefix) internal view returns (Case memory) {
        for (uint256 i; i < cases.length; ++i) {
            if (_startsWith(cases[i].name, prefix)) return cases[i];
        }
        revert(string.concat("no vector ", prefix));
    }

    function _startsWith(string memory s, string memory prefix) internal pure returns (bool) {
        bytes memory a = bytes(s);
        bytes memory p = bytes(prefix);
        if (a.length < p.length) return false;
        for (uint256 i; i < p.length; ++i) if (a[i] != p[i]) return false;
        return true;
    }

    function _endsWith(string memory s, string memory suffix) internal pure returns (bool) {
        bytes memory a = bytes(s);
        bytes memory p = bytes(suffix);
        if (a.length < p.length) return false;
        for (uint256 i; i < p.length; ++i) if (a[a.length - p.length + i] != p[i]) return false;
        return true;
    }

    function test_policyHash_isStrictFp32() public view {
        assertEq(policyHash, FloatPolicy.hash(FloatPolicy.strictFp32()));
    }

    function test_vectors_everyVerdictMatchesTheReference() public view {
        uint256[3][32] memory seen;
        for (uint256 i; i < cases.length; ++i) {
            Case memory c = cases[i];
            uint8 v = _call(c);
            assertEq(v, c.verdict, c.name);
            // abi.encode(NodeDescriptor): an offset word, then the opcode's word.
            ++seen[uint8(c.node[63])][v];
        }
        // Every routed opcode, admissible and violating; unchecked where §11.3 has it.
        uint8[21] memory routed = [2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
        for (uint256 i; i < routed.length; ++i) {
            assertGt(seen[routed[i]][0], 0, "admissible");
            assertGt(seen[routed[i]][1], 0, "violates");
        }
        uint8[8] memory withUnchecked = [16, 17, 18, 19, 20, 21, 22, 15];
        for (uint256 i; i < withUnchecked.length; ++i) assertGt(seen[withUnchecked[i]][2], 0, "unchecked");
        assertGt(cases.length, 120);
    }

    /// @dev Descriptors whose attributes the checks do not cover and claims that are no fp32
    ///      pattern: each call must revert with the vector's error (the TypeScript builder
    ///      refuses them too, scripts/vectors-float-step.ts).
    function test_vectors_refusedCalls_revertWithTheirError() public view {
        RevertCase[] memory refused = abi.decode(vm.parseJson(json, ".reverts"), (RevertCase[]));
        for (uint256 i; i < refused.length; ++i) {
            RevertCase memory c = refused[i];
            bytes memory call = abi.encodeCall(
                verifier.verdict,
                (
                    abi.decode(c.node, (NodeDescriptor)),
                    c.operandRoots,
                    c.outIndex,
                    vm.parseInt(c.claimed),
                    c.proof,
                    policyHash
                )
            );
            (bool ok, bytes memory ret) = address(verifier).staticcall(call);
            assertFalse(ok, c.name);
            assertEq(bytes4(ret), bytes4(c.error), c.name);
        }
        assertGt(refused.length, 10);
    }

    /// @dev A dot-product claim 1.1·B away is fraud and one 0.5·B away is not, through the router.
    function test_dotProductClaims_halfBAdmissible_elevenTenthsBViolates() public view {
        uint256 within;
        uint256 beyond;
        for (uint256 i; i < cases.length; ++i) {
            Case memory c = cases[i];
            uint8 op = uint8(c.node[63]);
            if (op != Opcodes.MAT_MUL && op != Opcodes.GEMM && op != Opcodes.CONV) continue;
            if (_endsWith(c.name, " 0.5B")) {
                assertEq(_call(c), 0, c.name);
                ++within;
            } else if (_endsWith(c.name, " 1.1B")) {
                assertEq(_call(c), 1, c.name);
                ++beyond;
            }
        }
        assertGt(within, 5);
        assertGt(beyond, 5);
    }

    function test_policyOtherThanTheModels_reverts() public {
        Case memory c = _case("Gemm");
        (NumericsPolicy memory policy, bytes memory operands) = abi.decode(c.proof, (NumericsPolicy, bytes));
        policy.etaExponent = -120;
        c.proof = abi.encode(policy, operands);
        vm.expectRevert(
            abi.encodeWithSelector(IFloatStepVerifier.PolicyMismatch.selector, policyHash, FloatPolicy.hash(policy))
        );
        _call(c);
    }

    function test_unsupportedPolicy_reverts_evenWhenItIsTheModels() public {
        Case memory c = _case("Conv");
        (NumericsPolicy memory policy, bytes memory operands) = abi.decode(c.proof, (NumericsPolicy, bytes));
        policy.accumulationBits = 11;
        bytes32 hash = FloatPolicy.hash(policy);
        NodeDescriptor memory node = abi.decode(c.node, (NodeDescriptor));
        bytes memory proof = abi.encode(policy, operands);
        vm.expectRevert(abi.encodeWithSelector(FloatPolicy.UnsupportedPolicy.selector, hash));
        verifier.verdict(node, c.operandRoots, c.outIndex, vm.parseInt(c.claimed), proof, hash);
    }

    function test_operandRootCountMismatch_reverts() public {
        Case memory c = _case("Gemm");
        bytes32[] memory roots = new bytes32[](c.operandRoots.length - 1);
        for (uint256 i; i < roots.length; ++i) roots[i] = c.operandRoots[i];
        c.operandRoots = roots;
        vm.expectRevert(abi.encodeWithSelector(IFloatStepVerifier.FloatOperandCountMismatch.selector, 3, 2));
        _call(c);
    }

    function test_rootAgainstTheDescriptor_reverts() public {
        Case memory c = _case("Gemm transB=1 C absent");
        c.operandRoots[2] = keccak256("a C the descriptor does not have");
        vm.expectRevert(abi.encodeWithSelector(FloatStep.InvalidOperandRoot.selector, 2, c.operandRoots[2]));
        _call(c);
        c.operandRoots[2] = bytes32(0);
        c.operandRoots[1] = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(FloatStep.InvalidOperandRoot.selector, 1, bytes32(0)));
        _call(c);
    }

    function test_openingOfAnotherWord_reverts() public {
        Case memory c = _case("MatMul");
        (NumericsPolicy memory policy, bytes memory operands) = abi.decode(c.proof, (NumericsPolicy, bytes));
        (TensorCodec.RangeOpening memory a, TensorCodec.RangeOpening memory b, int256 hint) = abi.decode(
            operands,
            (TensorCodec.RangeOpening, TensorCodec.RangeOpening, int256)
        );
        // A word of A's row with one bit flipped: the opening misses A's root.
        a.words[0] = bytes32(uint256(a.words[0]) ^ 1);
        c.proof = abi.encode(policy, abi.encode(a, b, hint));
        vm.expectPartialRevert(TensorCodec.RootMismatch.selector);
        _call(c);
        // The next word of B instead of its column's: not the run's words.
        a.words[0] = bytes32(uint256(a.words[0]) ^ 1);
        b.firstWord += 1;
        c.proof = abi.encode(policy, abi.encode(a, b, hint));
        vm.expectPartialRevert(FloatOperand.InvalidOperand.selector);
        _call(c);
    }

    function test_pointwiseOpeningOfAnotherWord_reverts() public {
        Case memory c = _case("Identity");
        (NumericsPolicy memory policy, bytes memory operands) = abi.decode(c.proof, (NumericsPolicy, bytes));
        TensorCodec.RangeOpening[] memory openings = abi.decode(operands, (TensorCodec.RangeOpening[]));
        openings[0].words[0] = bytes32(uint256(openings[0].words[0]) ^ (1 << 200));
        c.proof = abi.encode(policy, abi.encode(openings));
        vm.expectPartialRevert(TensorCodec.RootMismatch.selector);
        _call(c);
    }

    function test_convWithGroupOtherThanOne_reverts() public {
        Case memory c = _case("Conv 3x3");
        NodeDescriptor memory node = abi.decode(c.node, (NodeDescriptor));
        node.attrs[8] = 2;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.InvalidAttribute.selector, 8, int256(2)));
        verifier.verdict(node, c.operandRoots, c.outIndex, vm.parseInt(c.claimed), c.proof, policyHash);
    }

    function test_poolWithCeilMode_reverts() public {
        Case memory c = _case("MaxPool 2x2");
        NodeDescriptor memory node = abi.decode(c.node, (NodeDescriptor));
        node.attrs[8] = 1;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.InvalidAttribute.selector, 8, int256(1)));
        verifier.verdict(node, c.operandRoots, c.outIndex, vm.parseInt(c.claimed), c.proof, policyHash);
    }

    function test_unsupportedOpcode_reverts() public {
        Case memory c = _case("Relu");
        NodeDescriptor memory node = abi.decode(c.node, (NodeDescriptor));
        uint8[4] memory outside = [Opcodes.MAT_MUL_INTEGER, Opcodes.CLIP, Opcodes.CAST, 99];
        for (uint256 i; i < outside.length; ++i) {
            node.opcode = outside[i];
            vm.expectRevert(abi.encodeWithSelector(IFloatStepVerifier.UnsupportedFloatOpcode.selector, outside[i]));
            verifier.verdict(node, c.operandRoots, c.outIndex, vm.parseInt(c.claimed), c.proof, policyHash);
        }
    }

    function test_fp32ClaimOutsideItsBits_reverts() public {
        Case memory c = _case("Add");
        NodeDescriptor memory node = abi.decode(c.node, (NodeDescriptor));
        int256[2] memory bad = [int256(1 << 32), -1];
        for (uint256 i; i < 2; ++i) {
            vm.expectRevert(abi.encodeWithSelector(FloatStep.ClaimOutOfRange.selector, bad[i]));
            verifier.verdict(node, c.operandRoots, c.outIndex, bad[i], c.proof, policyHash);
        }
    }

    function test_everyContract_fitsTheCodeLimit() public view {
        assertLt(address(verifier).code.length, 24_576);
        assertLt(address(verifier.dotPart()).code.length, 24_576);
        assertLt(address(verifier.windowPart()).code.length, 24_576);
        assertLt(address(verifier.pointwisePart()).code.length, 24_576);
    }
}
