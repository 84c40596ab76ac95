// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {TensorSpec} from "../../../contracts/libraries/Types.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";

/// @dev External entry points so reverts can be expected.
contract TensorCodecHarness {
    function rootOfPacked(TensorSpec memory spec, bytes memory packed) external pure returns (bytes32) {
        return TensorCodec.rootOfPacked(spec, packed);
    }

    function verify(bytes32 root, TensorSpec memory spec, TensorCodec.RangeOpening memory o) external pure {
        TensorCodec.verify(root, spec, o);
    }

    function elementsAt(
        TensorSpec memory spec,
        TensorCodec.RangeOpening memory o,
        uint256 start,
        uint256 count
    ) external pure returns (int256[] memory) {
        return TensorCodec.elementsAt(spec, o, start, count);
    }
}

/// @notice The Solidity side of the golden tensor vectors (docs/PROTOCOL.md §10).
contract TensorCodecVectorsTest is Test {
    struct OpeningCase {
        uint256 firstWord;
        bytes32[] words;
        bytes32[] proof;
        uint256 start;
        uint256 count;
        int256[] values;
    }

    struct TensorCase {
        TensorSpec spec;
        bytes packed;
        bytes32 dataRoot;
        bytes32 root;
        uint256[] rowMajor;
        uint256[] committed;
        OpeningCase[] openings;
    }

    TensorCodecHarness internal h;
    string internal json;
    uint256 internal caseCount;

    function setUp() public {
        h = new TensorCodecHarness();
        json = vm.readFile("test/vectors/tensors.json");
        caseCount = abi.decode(vm.parseJson(json, ".cases"), (bytes[])).length;
    }

    function _case(uint256 i) internal view returns (TensorCase memory c) {
        bytes memory blob = vm.parseJsonBytes(json, string.concat(".cases[", vm.toString(i), "].abi"));
        c = abi.decode(blob, (TensorCase));
    }

    function test_vectors_rootOfPacked_matchesTypeScript() public view {
        assertGt(caseCount, 5);
        for (uint256 i; i < caseCount; ++i) {
            TensorCase memory c = _case(i);
            assertEq(h.rootOfPacked(c.spec, c.packed), c.root);
            assertEq(TensorCodec.tensorRoot(c.spec, c.dataRoot), c.root);
        }
    }

    function test_vectors_committedPosition_matchesTypeScript() public view {
        for (uint256 i; i < caseCount; ++i) {
            TensorCase memory c = _case(i);
            for (uint256 k; k < c.rowMajor.length; ++k) {
                assertEq(TensorCodec.committedPosition(c.spec, c.rowMajor[k]), c.committed[k]);
            }
        }
    }

    function test_vectors_openings_verifyAndDecode() public view {
        uint256 checked;
        for (uint256 i; i < caseCount; ++i) {
            TensorCase memory c = _case(i);
            for (uint256 k; k < c.openings.length; ++k) {
                OpeningCase memory o = c.openings[k];
                TensorCodec.RangeOpening memory r = TensorCodec.RangeOpening(o.firstWord, o.words, o.proof);
                h.verify(c.root, c.spec, r);
                int256[] memory got = h.elementsAt(c.spec, r, o.start, o.count);
                assertEq(got.length, o.values.length);
                for (uint256 j; j < got.length; ++j) assertEq(got[j], o.values[j]);
                ++checked;
            }
        }
        assertGe(checked, 30);
    }

    function test_verify_tamperedWord_reverts() public {
        TensorCase memory c = _case(3);
        OpeningCase memory o = c.openings[2];
        o.words[0] = bytes32(uint256(o.words[0]) ^ 1);
        TensorCodec.RangeOpening memory r = TensorCodec.RangeOpening(o.firstWord, o.words, o.proof);
        vm.expectPartialRevert(TensorCodec.RootMismatch.selector);
        h.verify(c.root, c.spec, r);
    }

    function test_verify_shortProof_reverts() public {
        TensorCase memory c = _case(3);
        OpeningCase memory o = c.openings[0];
        bytes32[] memory shorter = new bytes32[](o.proof.length - 1);
        for (uint256 j; j < shorter.length; ++j) shorter[j] = o.proof[j];
        TensorCodec.RangeOpening memory r = TensorCodec.RangeOpening(o.firstWord, o.words, shorter);
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.MalformedProof.selector, shorter.length));
        h.verify(c.root, c.spec, r);
    }

    function test_verify_rangePastTensor_reverts() public {
        TensorCase memory c = _case(1);
        TensorCodec.RangeOpening memory r = TensorCodec.RangeOpening(1, new bytes32[](1), new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.InvalidRange.selector, 1, 1, 1));
        h.verify(c.root, c.spec, r);
    }

    function test_elementsAt_positionOutsideOpening_reverts() public {
        TensorCase memory c = _case(3);
        OpeningCase memory o = c.openings[0];
        TensorCodec.RangeOpening memory r = TensorCodec.RangeOpening(o.firstWord, o.words, o.proof);
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.PositionNotOpened.selector, 32));
        h.elementsAt(c.spec, r, 32, 1);
    }

    function test_rootOfPacked_wrongLength_reverts() public {
        TensorCase memory c = _case(2);
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.PackedLengthMismatch.selector, 5, 6));
        h.rootOfPacked(c.spec, bytes.concat(c.packed, hex"00"));
    }

    function test_rootOfPacked_unsupportedDType_reverts() public {
        TensorCase memory c = _case(2);
        c.spec.dtype = 10; // float16: in no profile
        vm.expectRevert(abi.encodeWithSelector(TensorCodec.UnsupportedDType.selector, 10));
        h.rootOfPacked(c.spec, c.packed);
    }

    function test_width_float32_isFourBytes() public pure {
        // float32 elements are packed as their 4-byte bit patterns (docs/PROTOCOL.md §11.1).
        assertEq(TensorCodec.width(TensorCodec.FLOAT), 4);
        assertEq(TensorCodec.width(TensorCodec.FLOAT), TensorCodec.width(TensorCodec.INT32));
    }

    function testFuzz_readWord_roundTripsInt32(int32 v, uint8 slot) public pure {
        uint256 offset = (uint256(slot) % 8) * 4;
        bytes32 word = bytes32(uint256(uint32(v)) << (256 - (offset + 4) * 8));
        assertEq(TensorCodec.readWord(word, offset, 4, true), int256(v));
    }
}
