// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IOneStepVerifier} from "../../../contracts/interfaces/IOneStepVerifier.sol";
import {NodeDescriptor} from "../../../contracts/libraries/Graph.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {OneStepVerifier} from "../../../contracts/OneStepVerifier.sol";
import {Opcodes} from "../../../contracts/ops/Opcodes.sol";

/// @notice Full-path one-step vectors (test/vectors/onestep.json, scripts/vectors-onestep.ts):
///         real commitments and openings built by the TypeScript proof builder, recomputed by
///         OneStepVerifier through calldata, plus the ways a bad proof must fail.
contract OneStepVectorsTest is Test {
    struct OneStepCase {
        NodeDescriptor node;
        bytes32[] operandRoots;
        uint256 outIndex;
        TensorCodec.RangeOpening[] openings;
        int256 expected;
    }

    OneStepVerifier internal verifier;
    string internal json;
    uint8[] internal opcodes;

    function setUp() public {
        verifier = new OneStepVerifier();
        json = vm.readFile("test/vectors/onestep.json");
        uint256[] memory codes = abi.decode(vm.parseJson(json, ".cases[*].opcode"), (uint256[]));
        for (uint256 i; i < codes.length; ++i) opcodes.push(uint8(codes[i]));
    }

    /// @dev Every vector's ABI blob, parsed in one pass (re-parsing the file per case is slow).
    function _blobs() internal view returns (bytes[] memory) {
        return abi.decode(vm.parseJson(json, ".cases[*].abi"), (bytes[]));
    }

    /// @dev The first vector of `opcode` whose opening `slot` spans at least `minWords` words.
    function _first(uint8 opcode, uint256 slot, uint256 minWords) internal view returns (OneStepCase memory c) {
        bytes[] memory blobs = _blobs();
        for (uint256 i; i < opcodes.length; ++i) {
            if (opcodes[i] != opcode) continue;
            c = abi.decode(blobs[i], (OneStepCase));
            if (c.openings.length > slot && c.openings[slot].words.length >= minWords) return c;
        }
        revert("no such vector");
    }

    function _execute(OneStepCase memory c) internal view returns (int256) {
        return verifier.execute(c.node, c.operandRoots, c.outIndex, c.openings);
    }

    function test_vectors_execute_matchesReference() public view {
        bool[16] memory seen;
        bytes[] memory blobs = _blobs();
        string[] memory names = abi.decode(vm.parseJson(json, ".cases[*].name"), (string[]));
        for (uint256 i; i < blobs.length; ++i) {
            OneStepCase memory c = abi.decode(blobs[i], (OneStepCase));
            assertEq(_execute(c), c.expected, names[i]);
            seen[c.node.opcode] = true;
        }
        assertGe(opcodes.length, 300);
        for (uint8 op = Opcodes.MAT_MUL_INTEGER; op <= Opcodes.ARG_MAX; ++op) assertTrue(seen[op]);
    }

    function test_execute_tamperedWord_reverts() public {
        OneStepCase memory c = _first(Opcodes.MAT_MUL_INTEGER, 1, 2);
        c.openings[1].words[1] ^= bytes32(uint256(1));
        vm.expectPartialRevert(TensorCodec.RootMismatch.selector);
        _execute(c);
    }

    function test_execute_tamperedProof_reverts() public {
        OneStepCase memory c = _first(Opcodes.MAT_MUL_INTEGER, 1, 2);
        c.openings[1].proof[0] ^= bytes32(uint256(1) << 255);
        vm.expectPartialRevert(TensorCodec.RootMismatch.selector);
        _execute(c);
    }

    function test_execute_wrongOperandRoot_reverts() public {
        OneStepCase memory c = _first(Opcodes.CLIP, 0, 1);
        c.operandRoots[0] = keccak256("another tensor");
        vm.expectPartialRevert(TensorCodec.RootMismatch.selector);
        _execute(c);
    }

    function test_execute_openingOfAnotherRow_reverts() public {
        // A verifying opening of the same A operand, but of another row (another word range):
        // taken from the vector of another output element of the same node.
        bytes[] memory blobs = _blobs();
        for (uint256 i; i + 1 < opcodes.length; ++i) {
            if (opcodes[i] != Opcodes.MAT_MUL_INTEGER || opcodes[i + 1] != Opcodes.MAT_MUL_INTEGER) continue;
            OneStepCase memory c = abi.decode(blobs[i], (OneStepCase));
            OneStepCase memory other = abi.decode(blobs[i + 1], (OneStepCase));
            if (c.operandRoots[0] != other.operandRoots[0]) continue;
            TensorCodec.RangeOpening memory mine = c.openings[0];
            TensorCodec.RangeOpening memory theirs = other.openings[0];
            if (mine.firstWord == theirs.firstWord) continue;
            c.openings[0] = theirs;
            vm.expectRevert(
                abi.encodeWithSelector(
                    IOneStepVerifier.OpeningRangeMismatch.selector,
                    0,
                    mine.firstWord,
                    mine.words.length,
                    theirs.firstWord,
                    theirs.words.length
                )
            );
            _execute(c);
            return;
        }
        revert("no such vector pair");
    }

    function test_execute_extraWord_reverts() public {
        OneStepCase memory c = _first(Opcodes.MAT_MUL_INTEGER, 0, 1);
        TensorCodec.RangeOpening memory o = c.openings[0];
        bytes32[] memory longer = new bytes32[](o.words.length + 1);
        for (uint256 i; i < o.words.length; ++i) longer[i] = o.words[i];
        c.openings[0] = TensorCodec.RangeOpening(o.firstWord, longer, o.proof);
        vm.expectPartialRevert(IOneStepVerifier.OpeningRangeMismatch.selector);
        _execute(c);
    }

    function test_execute_swappedOpenings_reverts() public {
        OneStepCase memory c = _first(Opcodes.SUB, 1, 1);
        (c.openings[0], c.openings[1]) = (c.openings[1], c.openings[0]);
        vm.expectRevert();
        _execute(c);
    }

    function test_execute_missingOpening_reverts() public {
        OneStepCase memory c = _first(Opcodes.MAT_MUL_INTEGER, 2, 1);
        uint256 n = c.openings.length;
        TensorCodec.RangeOpening[] memory fewer = new TensorCodec.RangeOpening[](n - 1);
        for (uint256 i; i < n - 1; ++i) fewer[i] = c.openings[i];
        c.openings = fewer;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.OpeningCountMismatch.selector, n, n - 1));
        _execute(c);
    }

    function test_execute_extraOpening_reverts() public {
        OneStepCase memory c = _first(Opcodes.GATHER, 0, 1);
        TensorCodec.RangeOpening[] memory more = new TensorCodec.RangeOpening[](3);
        (more[0], more[1], more[2]) = (c.openings[0], c.openings[1], c.openings[1]);
        c.openings = more;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.OpeningCountMismatch.selector, 2, 3));
        _execute(c);
    }

    function test_execute_outIndexPastOutput_reverts() public {
        OneStepCase memory c = _first(Opcodes.IDENTITY, 0, 1);
        uint256 count = 1;
        for (uint256 i; i < c.node.output.shape.length; ++i) count *= c.node.output.shape[i];
        c.outIndex = count;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.OutputIndexOutOfRange.selector, count, count));
        _execute(c);
    }

    function test_execute_unknownOpcode_reverts() public {
        OneStepCase memory c = _first(Opcodes.RELU, 0, 1);
        c.node.opcode = 16;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.UnsupportedOpcode.selector, 16));
        _execute(c);
    }

    function test_execute_rootCountMismatch_reverts() public {
        OneStepCase memory c = _first(Opcodes.MUL, 0, 1);
        c.operandRoots = new bytes32[](1);
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.OperandCountMismatch.selector, 2, 1));
        _execute(c);
    }

    function test_execute_absentRequiredOperand_reverts() public {
        OneStepCase memory c = _first(Opcodes.DIV, 0, 1);
        c.node.inputs[1].source = 0;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.MissingOperand.selector, 1));
        _execute(c);
    }

    function test_execute_matMulRowMajorB_reverts() public {
        OneStepCase memory c = _first(Opcodes.MAT_MUL_INTEGER, 0, 1);
        c.node.inputs[1].spec.layout = TensorCodec.ROW_MAJOR;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.UnsupportedLayout.selector, 1, 0));
        _execute(c);
    }

    function test_execute_castToOtherThanOutputDType_reverts() public {
        OneStepCase memory c = _first(Opcodes.CAST, 0, 1);
        int64 other = c.node.output.dtype == TensorCodec.INT64 ? int64(3) : int64(7);
        c.node.attrs[0] = other;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.InvalidAttribute.selector, 0, int256(other)));
        _execute(c);
    }

    function test_execute_attributeCountMismatch_reverts() public {
        OneStepCase memory c = _first(Opcodes.ARG_MAX, 0, 1);
        int64[] memory two = new int64[](2);
        (two[0], two[1]) = (c.node.attrs[0], c.node.attrs[1]);
        c.node.attrs = two;
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.AttributeCountMismatch.selector, 3, 2));
        _execute(c);
    }

    function test_execute_argMaxNotOnLastAxis_reverts() public {
        OneStepCase memory c = _first(Opcodes.ARG_MAX, 0, 1);
        c.node.attrs[0] = int64(uint64(c.node.inputs[0].spec.shape.length));
        vm.expectRevert(abi.encodeWithSelector(IOneStepVerifier.InvalidAttribute.selector, 0, int256(c.node.attrs[0])));
        _execute(c);
    }
}
