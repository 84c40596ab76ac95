// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOneStepVerifier} from "./interfaces/IOneStepVerifier.sol";
import {NodeDescriptor} from "./libraries/Graph.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";
import {OneStep} from "./ops/OneStep.sol";

/// @title OneStepVerifier
/// @notice Stateless entry point of the one-step check (docs/PROTOCOL.md §9.3), called by the
///         dispute game once the disputed element and its operand roots are known.
contract OneStepVerifier is IOneStepVerifier {
    /// @inheritdoc IOneStepVerifier
    function execute(
        NodeDescriptor calldata node,
        bytes32[] calldata operandRoots,
        uint256 outIndex,
        TensorCodec.RangeOpening[] calldata openings
    ) external pure returns (int256 value) {
        return OneStep.execute(node, operandRoots, outIndex, openings);
    }
}
