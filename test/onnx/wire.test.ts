import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LimitExceededError, MalformedModelError } from "../../src/onnx/errors.ts";
import { scanModelWire } from "../../src/onnx/wire.ts";
import { mlpModel } from "./models.ts";

/** ModelProto { ir_version: 8, graph: <graph bytes> }. */
function model(graph: number[]): Uint8Array {
  return Uint8Array.from([0x08, 0x08, 0x3a, graph.length, ...graph]);
}

function refused(bytes: Uint8Array, code: string): void {
  assert.throws(
    () => scanModelWire(bytes),
    (e: unknown) => (e instanceof MalformedModelError || e instanceof LimitExceededError) && e.code === code,
  );
}

describe("protobuf wire scan (parser-differential and memory guards)", () => {
  it("walks a valid model and counts what protobufjs would allocate", () => {
    const stats = scanModelWire(mlpModel());
    assert.equal(stats.maxNodesPerGraph, 10);
    assert.ok(stats.items > 50 && stats.maxDepth >= 5);
  });

  it("refuses a field the schema does not have", () => {
    refused(Uint8Array.from([0x08, 0x08, 0xf8, 0x01, 0x01]), "UNKNOWN_FIELD"); // field 31, varint
  });

  it("refuses a singular field given twice (C++ protobuf merges, protobufjs replaces)", () => {
    refused(Uint8Array.from([0x08, 0x08, 0x08, 0x09]), "DUPLICATE_FIELD");
    refused(model([0x12, 0x01, 0x61, 0x12, 0x01, 0x62]), "DUPLICATE_FIELD"); // GraphProto.name twice
  });

  it("refuses two members of one oneof (Dimension value)", () => {
    // graph.input[0] = ValueInfo{ type: { tensor_type: { shape: { dim: [{ dim_value: 1, dim_param: "n" }] } } } }
    const dim = [0x08, 0x01, 0x12, 0x01, 0x6e];
    const shape = [0x0a, dim.length, ...dim];
    const tensorType = [0x08, 0x03, 0x12, shape.length, ...shape];
    const type = [0x0a, tensorType.length, ...tensorType];
    const vi = [0x0a, 0x01, 0x78, 0x12, type.length, ...type];
    refused(model([0x5a, vi.length, ...vi]), "DUPLICATE_FIELD");
  });

  it("refuses a wire type that does not match the field", () => {
    refused(Uint8Array.from([0x08, 0x08, 0x38, 0x01]), "MALFORMED_PROTOBUF"); // graph (a message) as a varint
    refused(Uint8Array.from([0x0a, 0x01, 0x00]), "MALFORMED_PROTOBUF"); // ir_version as bytes
  });

  it("refuses a field running past the end of its enclosing message", () => {
    // GraphProto of length 3 holding a name of length 5.
    refused(Uint8Array.from([0x3a, 0x03, 0x12, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]), "MALFORMED_PROTOBUF");
  });

  it("refuses int32 varints of 6 to 9 bytes, which protobufjs misreads", () => {
    // TensorProto{ data_type: 6-byte varint } in graph.initializer
    const tensor = [0x10, 0x86, 0x80, 0x80, 0x80, 0x80, 0x00];
    refused(model([0x2a, tensor.length, ...tensor]), "MALFORMED_PROTOBUF");
    const ok = [0x10, 0x86, 0x80, 0x80, 0x80, 0x00];
    scanModelWire(model([0x2a, ok.length, ...ok]));
  });

  it("refuses varints longer than 10 bytes and lengths of 2^31 or more", () => {
    refused(Uint8Array.from([0x08, ...new Array(10).fill(0xff), 0x01]), "MALFORMED_PROTOBUF");
    refused(Uint8Array.from([0x32, 0x80, 0x80, 0x80, 0x80, 0x08]), "MALFORMED_PROTOBUF");
  });

  it("refuses invalid UTF-8 in strings but not in bytes fields", () => {
    refused(model([0x12, 0x02, 0xc3, 0x28]), "MALFORMED_PROTOBUF");
    const tensor = [0x4a, 0x02, 0xc3, 0x28]; // raw_data
    scanModelWire(model([0x2a, tensor.length, ...tensor]));
  });

  it("refuses groups and field number 0", () => {
    refused(Uint8Array.from([0x0b, 0x0c]), "MALFORMED_PROTOBUF");
    refused(Uint8Array.from([0x00, 0x01]), "MALFORMED_PROTOBUF");
  });

  it("refuses nesting deeper than the limit", () => {
    // graph.value_info[0].type = Sequence{ elem_type: Sequence{ … TypeProto{ tensor_type: { elem_type: 3 } } } }, 40 deep.
    let t: number[] = [0x0a, 0x02, 0x08, 0x03];
    for (let i = 0; i < 40; i++) {
      const seq = [0x0a, ...varintOf(t.length), ...t];
      t = [0x22, ...varintOf(seq.length), ...seq];
    }
    const vi = [0x12, ...varintOf(t.length), ...t];
    const graph = [0x6a, ...varintOf(vi.length), ...vi];
    const bytes = Uint8Array.from([0x3a, ...varintOf(graph.length), ...graph]);
    refused(bytes, "PROTOBUF_TOO_COMPLEX");
  });
});

function varintOf(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
