// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TensorCodec} from "../libraries/TensorCodec.sol";
import {TensorSpec} from "../libraries/Types.sol";
import {MatMulIntegerOp} from "../ops/MatMulIntegerOp.sol";

/// @title OneStepHarness
/// @notice Test-only: the pieces of a MatMulInteger one-step check on their own, each returning
///         the gas its computation used (calldata and ABI decoding excluded), so the gas test can
///         say where a proof's gas goes (test/ops/gas.test.ts).
// Parameters are memory on purpose: they are decoded before the body runs, so the gas each
// function measures is its computation's alone.
// solhint-disable gas-calldata-parameters
contract OneStepHarness {
    /// @notice Gas of verifying one range opening against a tensor root.
    function verifyGas(
        bytes32 root,
        TensorSpec memory spec,
        TensorCodec.RangeOpening memory opening
    ) external view returns (uint256 gasUsed) {
        gasUsed = gasleft();
        TensorCodec.verify(root, spec, opening);
        gasUsed -= gasleft();
    }

    /// @notice Gas of the packed dot product over two opened runs of 8-bit elements.
    function dotPackedGas(
        bytes32[] memory aWords,
        uint256 aByte,
        bool aSigned,
        int256 azp,
        bytes32[] memory bWords,
        uint256 bByte,
        bool bSigned,
        int256 bzp,
        uint256 k
    ) external view returns (int256 value, uint256 gasUsed) {
        MatMulIntegerOp.ByteRun memory a = MatMulIntegerOp.ByteRun(aWords, aByte, aSigned, azp);
        MatMulIntegerOp.ByteRun memory b = MatMulIntegerOp.ByteRun(bWords, bByte, bSigned, bzp);
        gasUsed = gasleft();
        value = MatMulIntegerOp.dotPacked(a, b, k);
        gasUsed -= gasleft();
    }

    /// @notice Gas of the same dot product the plain way: every element extracted into an
    ///         int256 array with TensorCodec.elementsAt, then {MatMulIntegerOp-dot}.
    function dotExtractedGas(
        TensorSpec memory aSpec,
        TensorCodec.RangeOpening memory aOpening,
        uint256 aStart,
        TensorSpec memory bSpec,
        TensorCodec.RangeOpening memory bOpening,
        uint256 bStart,
        uint256 k,
        int256 azp,
        int256 bzp
    ) external view returns (int256 value, uint256 gasUsed) {
        gasUsed = gasleft();
        int256[] memory a = TensorCodec.elementsAt(aSpec, aOpening, aStart, k);
        int256[] memory b = TensorCodec.elementsAt(bSpec, bOpening, bStart, k);
        value = MatMulIntegerOp.dot(a, b, azp, bzp);
        gasUsed -= gasleft();
    }
}
