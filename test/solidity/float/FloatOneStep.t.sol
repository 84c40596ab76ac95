// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {FloatOneStep} from "../../../contracts/ops/float/FloatOneStep.sol";
import {FloatOperand} from "../../../contracts/ops/float/FloatOperand.sol";
import {FloatPolicy, NumericsPolicy} from "../../../contracts/ops/float/FloatPolicy.sol";
import {FloatDot} from "../../../contracts/ops/float/FloatDot.sol";
import {FloatSum} from "../../../contracts/ops/float/FloatSum.sol";
import {FloatVerdict} from "../../../contracts/ops/float/FloatVerdict.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {TensorSpec} from "../../../contracts/libraries/Types.sol";

/// @notice FloatOneStep.matMulVerdict on a small MatMul: A [1, 10] of 1.0, B [10, 3] (transposed) of
///         2.0, so every output element is exactly 20. The openings must be exactly the run's
///         words and reach the roots; the verdict then follows the dot-product rule.
contract FloatOneStepTest is Test {
    uint32 internal constant ONE = 0x3f800000;
    uint32 internal constant TWO = 0x40000000;
    uint32 internal constant TWENTY = 0x41a00000;
    uint32 internal constant TWENTY_ONE = 0x41a80000;
    /// @dev The canonical hint: a term α·a·b = 1·1·2 has exponent −23 − 23 − 22 = −68 (each factor
    ///      decoded as mantissa·2^e), minus MAX_SHIFT 128.
    int256 internal constant HINT = -196;

    FloatOneStep internal verifier;
    NumericsPolicy internal policy;
    bytes32[] internal aWords;
    bytes32[] internal bWords;

    function setUp() public {
        verifier = new FloatOneStep();
        policy = FloatPolicy.strictFp32();
        aWords = _fill(10, ONE);
        bWords = _fill(30, TWO);
    }

    function _fill(uint256 count, uint32 bits) internal pure returns (bytes32[] memory words) {
        words = new bytes32[]((count + 7) / 8);
        for (uint256 i; i < count; ++i) {
            words[i / 8] |= bytes32(uint256(bits) << (224 - 32 * (i % 8)));
        }
    }

    function _spec(uint8 layout, uint32 d0, uint32 d1) internal pure returns (TensorSpec memory s) {
        uint32[] memory shape = new uint32[](2);
        shape[0] = d0;
        shape[1] = d1;
        s = TensorSpec(1, layout, shape);
    }

    function _a() internal view returns (FloatOperand.Range memory) {
        TensorSpec memory spec = _spec(TensorCodec.ROW_MAJOR, 1, 10);
        bytes32 root = TensorCodec.tensorRoot(spec, TensorCodec.merkleRoot(aWords));
        return FloatOperand.Range(root, spec, TensorCodec.RangeOpening(0, aWords, new bytes32[](0)));
    }

    /// @dev Column 1 of B is positions [10, 20): words 1 and 2 of four, proven by words 0 and 3.
    function _bColumn1() internal view returns (FloatOperand.Range memory) {
        TensorSpec memory spec = _spec(TensorCodec.TRANSPOSED, 10, 3);
        bytes32 root = TensorCodec.tensorRoot(spec, TensorCodec.merkleRoot(bWords));
        bytes32[] memory words = new bytes32[](2);
        words[0] = bWords[1];
        words[1] = bWords[2];
        bytes32[] memory proof = new bytes32[](2);
        proof[0] = bWords[0];
        proof[1] = bWords[3];
        return FloatOperand.Range(root, spec, TensorCodec.RangeOpening(1, words, proof));
    }

    function test_matMulVerdict_exactClaim_isAdmissible() public view {
        assertEq(verifier.matMulVerdict(_a(), _bColumn1(), 1, TWENTY, HINT, policy), FloatVerdict.ADMISSIBLE);
    }

    function test_matMulVerdict_claimOneAway_violates() public view {
        assertEq(verifier.matMulVerdict(_a(), _bColumn1(), 1, TWENTY_ONE, HINT, policy), FloatVerdict.VIOLATES);
    }

    function test_matMulVerdict_tamperedWord_reverts() public {
        FloatOperand.Range memory b = _bColumn1();
        b.opening.words[0] = bytes32(uint256(b.opening.words[0]) ^ 1);
        vm.expectRevert();
        verifier.matMulVerdict(_a(), b, 1, TWENTY, HINT, policy);
    }

    function test_matMulVerdict_openingOfAnotherColumn_reverts() public {
        // Column 0's words opened for output element 1.
        FloatOperand.Range memory b = _bColumn1();
        vm.expectRevert(abi.encodeWithSelector(FloatOperand.InvalidOperand.selector, 1, 1, 2));
        verifier.matMulVerdict(_a(), b, 0, TWENTY, HINT, policy);
    }

    function test_matMulVerdict_outIndexPastOutput_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(FloatOperand.OutputIndexOutOfRange.selector, 3, 3));
        verifier.matMulVerdict(_a(), _bColumn1(), 3, TWENTY, HINT, policy);
    }

    function test_matMulVerdict_hintTooFine_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(FloatSum.InvalidHint.selector, HINT - 1));
        verifier.matMulVerdict(_a(), _bColumn1(), 1, TWENTY, HINT - 1, policy);
    }

    function test_dotVerdict_runLongerThanWords_reverts() public {
        FloatDot.Element memory e = FloatDot.Element(
            aWords,
            7,
            bWords,
            0,
            10,
            FloatDot.Gemm(false, 0, ONE, ONE),
            TWENTY,
            HINT
        );
        vm.expectRevert(abi.encodeWithSelector(FloatDot.InvalidRun.selector, 10, 9));
        verifier.dotVerdict(e, policy);
    }

    function test_policy_otherThanVersionOne_reverts() public {
        NumericsPolicy memory tf32 = NumericsPolicy(1, 24, 11, -124, 0);
        vm.expectRevert(abi.encodeWithSelector(FloatPolicy.UnsupportedPolicy.selector, FloatPolicy.hash(tf32)));
        verifier.matMulVerdict(_a(), _bColumn1(), 1, TWENTY, HINT, tf32);
    }
}
