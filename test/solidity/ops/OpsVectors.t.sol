// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ArgMaxOp} from "../../../contracts/ops/ArgMaxOp.sol";
import {Broadcast} from "../../../contracts/ops/Broadcast.sol";
import {CastOp} from "../../../contracts/ops/CastOp.sol";
import {ClipOp} from "../../../contracts/ops/ClipOp.sol";
import {ElementwiseOp} from "../../../contracts/ops/ElementwiseOp.sol";
import {GatherOp} from "../../../contracts/ops/GatherOp.sol";
import {IntMath} from "../../../contracts/ops/IntMath.sol";
import {MatMulIntegerOp} from "../../../contracts/ops/MatMulIntegerOp.sol";
import {Opcodes} from "../../../contracts/ops/Opcodes.sol";
import {ShapeOp} from "../../../contracts/ops/ShapeOp.sol";

/// @notice The reference engineer's golden op vectors (test/vectors/ops.json, scripts/vectors-ops.ts,
///         docs/PROTOCOL.md §6.1) against the operator libraries of contracts/ops: each case's
///         dependency values, fed to the library, must give `expected`, and the libraries' index
///         arithmetic (broadcasting, MatMulInteger rows and columns, Gather) must name the same
///         positions the reference opened.
contract OpsVectorsTest is Test {
    // Field order is alphabetical: forge decodes JSON objects into tuples by sorted key.
    struct Dependency {
        uint256 count;
        uint256 operand;
        uint256 start;
        string[] values;
    }

    struct OperandSpec {
        uint256 dtype;
        uint256 layout;
        uint256[] shape;
        uint256 source;
    }

    struct Spec {
        uint256 dtype;
        uint256 layout;
        uint256[] shape;
    }

    struct OpCase {
        int256[] attrs;
        Dependency[] dependencies;
        string expected;
        string name;
        uint256 opcode;
        OperandSpec[] operandSpecs;
        uint256 outIndex;
        Spec outputSpec;
    }

    function test_vectors_opLibraries_matchReference() public view {
        string memory json = vm.readFile("test/vectors/ops.json");
        OpCase[] memory cases = abi.decode(vm.parseJson(json, ".cases"), (OpCase[]));
        uint256[16] memory perOpcode;
        for (uint256 i; i < cases.length; ++i) {
            OpCase memory c = cases[i];
            int256 got = _evaluate(c);
            assertEq(got, vm.parseInt(c.expected), c.name);
            assertEq(IntMath.wrap(got, uint8(c.outputSpec.dtype)), got, c.name);
            ++perOpcode[c.opcode];
        }
        assertEq(cases.length, vm.parseJsonUint(json, ".count"));
        for (uint256 op = Opcodes.MAT_MUL_INTEGER; op <= Opcodes.ARG_MAX; ++op) assertGe(perOpcode[op], 30);
    }

    function _values(Dependency memory d) internal pure returns (int256[] memory v) {
        v = new int256[](d.values.length);
        for (uint256 i; i < v.length; ++i) v[i] = vm.parseInt(d.values[i]);
    }

    function _value(Dependency memory d) internal pure returns (int256) {
        assertEq(d.count, 1);
        return vm.parseInt(d.values[0]);
    }

    function _shape(uint256[] memory s) internal pure returns (uint32[] memory out) {
        out = new uint32[](s.length);
        for (uint256 i; i < s.length; ++i) out[i] = uint32(s[i]);
    }

    function _count(uint256[] memory s) internal pure returns (uint256 n) {
        n = 1;
        for (uint256 i; i < s.length; ++i) n *= s[i];
    }

    function _present(OpCase memory c, uint256 i) internal pure returns (bool) {
        return i < c.operandSpecs.length && c.operandSpecs[i].source != 0;
    }

    function _evaluate(OpCase memory c) internal pure returns (int256) {
        uint256 op = c.opcode;
        uint8 dtype = uint8(c.outputSpec.dtype);
        Dependency[] memory deps = c.dependencies;
        if (op == Opcodes.MAT_MUL_INTEGER) return _matMul(c);
        if ((op >= Opcodes.ADD && op <= Opcodes.DIV) || op == Opcodes.MAX || op == Opcodes.MIN) {
            // One element per operand, at the index Broadcast computes.
            assertEq(deps.length, c.operandSpecs.length, c.name);
            uint32[] memory outShape = _shape(c.outputSpec.shape);
            for (uint256 k; k < deps.length; ++k) {
                assertEq(deps[k].operand, k, c.name);
                uint256 index = Broadcast.sourceIndex(outShape, _shape(c.operandSpecs[k].shape), c.outIndex, k);
                assertEq(deps[k].start, index, c.name);
            }
            int256 acc = _value(deps[0]);
            for (uint256 k = 1; k < deps.length; ++k) {
                int256 v = _value(deps[k]);
                if (op == Opcodes.ADD) acc = ElementwiseOp.add(acc, v, dtype);
                else if (op == Opcodes.SUB) acc = ElementwiseOp.sub(acc, v, dtype);
                else if (op == Opcodes.MUL) acc = ElementwiseOp.mul(acc, v, dtype);
                else if (op == Opcodes.DIV) acc = ElementwiseOp.div(acc, v, dtype);
                else if (op == Opcodes.MAX) acc = ElementwiseOp.max(acc, v);
                else acc = ElementwiseOp.min(acc, v);
            }
            return acc;
        }
        if (op == Opcodes.CLIP) {
            uint256 next = 1;
            int256 x = _value(deps[0]);
            int256 lo = _present(c, 1) ? _value(deps[next++]) : IntMath.minOf(dtype);
            int256 hi = _present(c, 2) ? _value(deps[next++]) : IntMath.maxOf(dtype);
            assertEq(deps.length, next, c.name);
            return ClipOp.clip(x, lo, hi);
        }
        // The single-element ops read data element o.
        if (op == Opcodes.RELU || op == Opcodes.CAST || (op >= Opcodes.RESHAPE && op <= Opcodes.IDENTITY)) {
            assertEq(deps.length, 1, c.name);
            assertEq(deps[0].start, ShapeOp.sourceIndex(c.outIndex), c.name);
            int256 x = _value(deps[0]);
            if (op == Opcodes.RELU) return ClipOp.relu(x);
            if (op == Opcodes.CAST) return CastOp.cast(x, dtype);
            return ShapeOp.copy(x);
        }
        if (op == Opcodes.GATHER) return _gather(c);
        if (op == Opcodes.ARG_MAX) return _argMax(c);
        revert("unknown opcode");
    }

    function _matMul(OpCase memory c) internal pure returns (int256) {
        Dependency[] memory deps = c.dependencies;
        uint256 k = c.operandSpecs[1].shape[0];
        uint256 n = c.operandSpecs[1].shape[1];
        assertEq(deps[0].start, (c.outIndex / n) * k, c.name);
        assertEq(deps[1].start, (c.outIndex % n) * k, c.name);
        int256[] memory a = _values(deps[0]);
        int256[] memory b = _values(deps[1]);
        assertEq(a.length, k, c.name);
        uint256 next = 2;
        int256 azp = _present(c, 2) ? _value(deps[next++]) : int256(0);
        int256 bzp = _present(c, 3) ? _value(deps[next++]) : int256(0);
        assertEq(deps.length, next, c.name);
        int256 plain = MatMulIntegerOp.dot(a, b, azp, bzp);
        assertEq(_dotPacked(c, a, b, azp, bzp), plain, c.name);
        return plain;
    }

    /// @dev The packed kernel on the same values, at the byte offsets the positions have in their words.
    function _dotPacked(
        OpCase memory c,
        int256[] memory a,
        int256[] memory b,
        int256 azp,
        int256 bzp
    ) internal pure returns (int256) {
        uint256 aByte = c.dependencies[0].start % 32;
        uint256 bByte = c.dependencies[1].start % 32;
        return
            MatMulIntegerOp.dotPacked(
                MatMulIntegerOp.ByteRun(_pack(a, aByte), aByte, c.operandSpecs[0].dtype != 2, azp),
                MatMulIntegerOp.ByteRun(_pack(b, bByte), bByte, c.operandSpecs[1].dtype != 2, bzp),
                a.length
            );
    }

    function _gather(OpCase memory c) internal pure returns (int256) {
        Dependency[] memory deps = c.dependencies;
        assertEq(deps.length, 2, c.name);
        uint256[] memory data = c.operandSpecs[0].shape;
        uint256 axis = GatherOp.normalizeAxis(c.attrs[0], data.length);
        uint256 inner = 1;
        for (uint256 i = axis + 1; i < data.length; ++i) inner *= data[i];
        uint256 q = _count(c.operandSpecs[1].shape);
        assertEq(deps[0].operand, 1, c.name);
        assertEq(deps[0].start, GatherOp.indicesIndex(c.outIndex, inner, q), c.name);
        uint256 index = GatherOp.normalizeIndex(_value(deps[0]), data[axis]);
        assertEq(deps[1].operand, 0, c.name);
        assertEq(deps[1].start, GatherOp.dataIndex(c.outIndex, index, data[axis], inner, q), c.name);
        return _value(deps[1]);
    }

    function _argMax(OpCase memory c) internal pure returns (int256) {
        Dependency[] memory deps = c.dependencies;
        assertEq(deps.length, 1, c.name);
        uint256[] memory shape = c.operandSpecs[0].shape;
        uint256 length = shape[shape.length - 1];
        assertEq(deps[0].start, c.outIndex * length, c.name);
        int256[] memory row = _values(deps[0]);
        bool last = c.attrs[2] == 1;
        int256 plain = ArgMaxOp.argMax(row, last);
        uint8 dtype = uint8(c.operandSpecs[0].dtype);
        uint256 width =
            dtype == 2 || dtype == 3
                ? 1
                : dtype == 6
                    ? 4
                    : 8;
        uint256 offset = (deps[0].start * width) % 32;
        assertEq(ArgMaxOp.argMaxPacked(_packWide(row, offset, width), offset, width, dtype != 2, length, last), plain);
        return plain;
    }

    /// @dev Bytes packed big-endian from byte `offset` of the first word (docs/PROTOCOL.md §2).
    function _pack(int256[] memory values, uint256 offset) internal pure returns (bytes32[] memory) {
        return _packWide(values, offset, 1);
    }

    function _packWide(
        int256[] memory values,
        uint256 offset,
        uint256 width
    ) internal pure returns (bytes32[] memory words) {
        bytes memory raw = new bytes(((offset + values.length * width + 31) / 32) * 32);
        for (uint256 i; i < values.length; ++i) {
            uint256 v = uint256(values[i]);
            for (uint256 b; b < width; ++b) {
                raw[offset + i * width + b] = bytes1(uint8(v >> (8 * (width - 1 - b))));
            }
        }
        words = new bytes32[](raw.length / 32);
        for (uint256 w; w < words.length; ++w) {
            bytes32 word;
            assembly ("memory-safe") {
                word := mload(add(add(raw, 0x20), mul(w, 0x20)))
            }
            words[w] = word;
        }
    }
}
