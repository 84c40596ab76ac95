import { LimitExceededError, MalformedModelError } from "./errors.ts";
import { Limits } from "./limits.ts";

/**
 * A bounded walk over the protobuf wire format of a ModelProto, run before
 * protobufjs sees the bytes. It exists for two reasons:
 *
 * - Memory: protobufjs allocates a JS object per message and per element of a
 *   packed int64 field; the walk counts them first (Limits.MAX_WIRE_ITEMS,
 *   MAX_MESSAGE_DEPTH, MAX_NODES) and allocates nothing.
 * - Parser differentials: protobufjs is laxer than the C++ parser inside
 *   onnxruntime. It replaces a repeated singular message field where C++
 *   merges the two (so a second `graph` field could hide nodes from us but not
 *   from onnxruntime), lets a field run past the end of its enclosing message,
 *   ignores wire types, and misreads 6…9-byte int32 varints. The walk rejects
 *   all of these, plus unknown fields, invalid UTF-8 in strings and several
 *   members of one oneof, so that what we validate is what onnxruntime runs.
 */

type Kind =
  | "message"
  | "string"
  | "bytes"
  | "varint32"
  | "varint64"
  | "fixed32"
  | "fixed64"
  | "packedVarint32"
  | "packedVarint64"
  | "packedFixed32"
  | "packedFixed64";

interface Field {
  readonly kind: Kind;
  readonly repeated: boolean;
  /** For kind "message": the message type. */
  readonly type?: MessageName;
}

type MessageName =
  | "ModelProto"
  | "OperatorSetIdProto"
  | "StringStringEntryProto"
  | "TrainingInfoProto"
  | "FunctionProto"
  | "GraphProto"
  | "NodeProto"
  | "AttributeProto"
  | "ValueInfoProto"
  | "TensorAnnotation"
  | "TensorProto"
  | "Segment"
  | "SparseTensorProto"
  | "TensorShapeProto"
  | "Dimension"
  | "TypeProto"
  | "TypeTensor"
  | "TypeSequence"
  | "TypeMap"
  | "TypeOptional"
  | "TypeSparseTensor";

interface MessageSchema {
  readonly fields: Readonly<Record<number, Field>>;
  /** Field numbers of which at most one may be present. */
  readonly oneof?: readonly number[];
}

const one = (kind: Kind, type?: MessageName): Field => ({ kind, repeated: false, type });
const many = (kind: Kind, type?: MessageName): Field => ({ kind, repeated: true, type });
const msg = (type: MessageName): Field => one("message", type);
const msgs = (type: MessageName): Field => many("message", type);

/** Field numbers and kinds from onnx.proto (IR 12), including fields newer than onnx-proto's copy. */
const SCHEMA: Record<MessageName, MessageSchema> = {
  ModelProto: {
    fields: {
      1: one("varint64"),
      2: one("string"),
      3: one("string"),
      4: one("string"),
      5: one("varint64"),
      6: one("string"),
      7: msg("GraphProto"),
      8: msgs("OperatorSetIdProto"),
      14: msgs("StringStringEntryProto"),
      20: msgs("TrainingInfoProto"),
      25: msgs("FunctionProto"),
    },
  },
  OperatorSetIdProto: { fields: { 1: one("string"), 2: one("varint64") } },
  StringStringEntryProto: { fields: { 1: one("string"), 2: one("string") } },
  TrainingInfoProto: {
    fields: {
      1: msg("GraphProto"),
      2: msg("GraphProto"),
      3: msgs("StringStringEntryProto"),
      4: msgs("StringStringEntryProto"),
    },
  },
  FunctionProto: {
    fields: {
      1: one("string"),
      4: many("string"),
      5: many("string"),
      6: many("string"),
      7: msgs("NodeProto"),
      8: one("string"),
      9: msgs("OperatorSetIdProto"),
      10: one("string"),
      11: msgs("AttributeProto"),
      12: msgs("ValueInfoProto"),
      13: one("string"),
      14: msgs("StringStringEntryProto"),
    },
  },
  GraphProto: {
    fields: {
      1: msgs("NodeProto"),
      2: one("string"),
      5: msgs("TensorProto"),
      10: one("string"),
      11: msgs("ValueInfoProto"),
      12: msgs("ValueInfoProto"),
      13: msgs("ValueInfoProto"),
      14: msgs("TensorAnnotation"),
      15: msgs("SparseTensorProto"),
      16: msgs("StringStringEntryProto"),
    },
  },
  NodeProto: {
    fields: {
      1: many("string"),
      2: many("string"),
      3: one("string"),
      4: one("string"),
      5: msgs("AttributeProto"),
      6: one("string"),
      7: one("string"),
      8: one("string"),
      9: msgs("StringStringEntryProto"),
    },
  },
  AttributeProto: {
    fields: {
      1: one("string"),
      2: one("fixed32"),
      3: one("varint64"),
      4: one("bytes"),
      5: msg("TensorProto"),
      6: msg("GraphProto"),
      7: many("packedFixed32"),
      8: many("packedVarint64"),
      9: many("bytes"),
      10: msgs("TensorProto"),
      11: msgs("GraphProto"),
      13: one("string"),
      14: msg("TypeProto"),
      15: msgs("TypeProto"),
      20: one("varint32"),
      21: one("string"),
      22: msg("SparseTensorProto"),
      23: msgs("SparseTensorProto"),
    },
  },
  ValueInfoProto: {
    fields: { 1: one("string"), 2: msg("TypeProto"), 3: one("string"), 4: msgs("StringStringEntryProto") },
  },
  TensorAnnotation: { fields: { 1: one("string"), 2: msgs("StringStringEntryProto") } },
  TensorProto: {
    fields: {
      1: many("packedVarint64"),
      2: one("varint32"),
      3: msg("Segment"),
      4: many("packedFixed32"),
      5: many("packedVarint32"),
      6: many("bytes"),
      7: many("packedVarint64"),
      8: one("string"),
      9: one("bytes"),
      10: many("packedFixed64"),
      11: many("packedVarint64"),
      12: one("string"),
      13: msgs("StringStringEntryProto"),
      14: one("varint32"),
      16: msgs("StringStringEntryProto"),
    },
  },
  Segment: { fields: { 1: one("varint64"), 2: one("varint64") } },
  SparseTensorProto: { fields: { 1: msg("TensorProto"), 2: msg("TensorProto"), 3: many("packedVarint64") } },
  TensorShapeProto: { fields: { 1: msgs("Dimension") } },
  Dimension: { fields: { 1: one("varint64"), 2: one("string"), 3: one("string") }, oneof: [1, 2] },
  TypeProto: {
    fields: {
      1: msg("TypeTensor"),
      4: msg("TypeSequence"),
      5: msg("TypeMap"),
      6: one("string"),
      8: msg("TypeSparseTensor"),
      9: msg("TypeOptional"),
    },
    oneof: [1, 4, 5, 8, 9],
  },
  TypeTensor: { fields: { 1: one("varint32"), 2: msg("TensorShapeProto") } },
  TypeSequence: { fields: { 1: msg("TypeProto") } },
  TypeMap: { fields: { 1: one("varint32"), 2: msg("TypeProto") } },
  TypeOptional: { fields: { 1: msg("TypeProto") } },
  TypeSparseTensor: { fields: { 1: one("varint32"), 2: msg("TensorShapeProto") } },
};

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** What the walk saw; only counts, nothing of the content. */
export interface WireStats {
  readonly items: number;
  readonly maxDepth: number;
  readonly maxNodesPerGraph: number;
}

class Scanner {
  items = 0;
  maxDepth = 0;
  maxNodes = 0;

  constructor(private readonly buf: Uint8Array) {}

  private malformed(at: number, what: string): never {
    throw new MalformedModelError("MALFORMED_PROTOBUF", `invalid protobuf at byte ${at}: ${what}`);
  }

  private count(n: number): void {
    this.items += n;
    if (this.items > Limits.MAX_WIRE_ITEMS) {
      throw new LimitExceededError(
        "PROTOBUF_TOO_COMPLEX",
        `>${Limits.MAX_WIRE_ITEMS}`,
        String(Limits.MAX_WIRE_ITEMS),
        `the file holds more than ${Limits.MAX_WIRE_ITEMS} protobuf fields and repeated elements (store large tensors in raw_data)`,
      );
    }
  }

  /** Byte length of the varint at `pos` (values are never needed beyond tags and lengths). */
  private varintLength(pos: number, end: number): number {
    for (let i = 0; i < 10; i++) {
      const b = this.buf[pos + i];
      if (pos + i >= end || b === undefined) this.malformed(pos, "varint runs past the end of its message");
      if ((b & 0x80) === 0) {
        if (i === 9 && b > 1) this.malformed(pos, "varint exceeds 64 bits");
        return i + 1;
      }
    }
    return this.malformed(pos, "varint longer than 10 bytes");
  }

  /** A varint read by protobufjs as int32: it handles 1…5 bytes and 10 bytes (negative values), nothing between. */
  private checkVarint32(pos: number, length: number): void {
    if (length > 5 && length !== 10) this.malformed(pos, `${length}-byte varint in an int32 field`);
  }

  /** A length or tag: protobufjs reads these as uint32, the C++ parser as int32, so both must agree. */
  private smallVarint(pos: number, end: number, what: string): { value: number; length: number } {
    const length = this.varintLength(pos, end);
    if (length > 5) this.malformed(pos, `${what} varint of ${length} bytes`);
    let value = 0;
    // varintLength has read these `length` bytes, so pos + i is inside buf.
    for (let i = length - 1; i >= 0; i--) value = value * 128 + (this.buf[pos + i]! & 0x7f);
    if (value >= 2 ** 31) this.malformed(pos, `${what} ${value} out of range`);
    return { value, length };
  }

  scan(type: MessageName, start: number, end: number, depth: number): void {
    if (depth > Limits.MAX_MESSAGE_DEPTH) {
      throw new LimitExceededError(
        "PROTOBUF_TOO_COMPLEX",
        String(depth),
        String(Limits.MAX_MESSAGE_DEPTH),
        `protobuf messages nested deeper than ${Limits.MAX_MESSAGE_DEPTH}`,
      );
    }
    this.maxDepth = Math.max(this.maxDepth, depth);
    const schema = SCHEMA[type];
    const seen = new Set<number>();
    let oneofMember: number | undefined;
    let nodes = 0;
    let pos = start;
    while (pos < end) {
      const tagAt = pos;
      const tag = this.smallVarint(pos, end, "tag");
      pos += tag.length;
      const fieldNo = tag.value >>> 3;
      const wire = tag.value & 7;
      if (fieldNo === 0) this.malformed(tagAt, "field number 0");
      const field = schema.fields[fieldNo];
      if (field === undefined) {
        throw new MalformedModelError("UNKNOWN_FIELD", `${type} has no field ${fieldNo} (byte ${tagAt})`);
      }
      if (!field.repeated) {
        if (seen.has(fieldNo)) {
          throw new MalformedModelError("DUPLICATE_FIELD", `${type} field ${fieldNo} appears twice (byte ${tagAt})`);
        }
        seen.add(fieldNo);
      }
      if (schema.oneof?.includes(fieldNo)) {
        if (oneofMember !== undefined && oneofMember !== fieldNo) {
          throw new MalformedModelError(
            "DUPLICATE_FIELD",
            `${type} sets fields ${oneofMember} and ${fieldNo} of one oneof (byte ${tagAt})`,
          );
        }
        oneofMember = fieldNo;
      }
      this.count(1);
      if (type === "GraphProto" && fieldNo === 1) {
        nodes++;
        if (nodes > Limits.MAX_NODES) {
          throw new LimitExceededError(
            "TOO_MANY_NODES",
            `>${Limits.MAX_NODES}`,
            String(Limits.MAX_NODES),
            `a graph has more than ${Limits.MAX_NODES} nodes`,
          );
        }
      }
      pos = this.field(type, fieldNo, field, wire, pos, end, depth, tagAt);
    }
    if (pos !== end) this.malformed(pos, `${type} overruns its length`);
    this.maxNodes = Math.max(this.maxNodes, nodes);
  }

  private field(
    type: MessageName,
    fieldNo: number,
    field: Field,
    wire: number,
    pos: number,
    end: number,
    depth: number,
    tagAt: number,
  ): number {
    const mismatch = (): never => this.malformed(tagAt, `${type} field ${fieldNo} has wire type ${wire}`);
    const fixed = (width: number): number => {
      if (pos + width > end) this.malformed(pos, "fixed-width value runs past the end of its message");
      return pos + width;
    };
    switch (field.kind) {
      case "varint32":
      case "varint64":
      case "packedVarint32":
      case "packedVarint64": {
        const is32 = field.kind === "varint32" || field.kind === "packedVarint32";
        if (wire === WIRE_VARINT) {
          const length = this.varintLength(pos, end);
          if (is32) this.checkVarint32(pos, length);
          return pos + length;
        }
        if (wire !== WIRE_LEN || (field.kind !== "packedVarint32" && field.kind !== "packedVarint64"))
          return mismatch();
        const { start, stop } = this.lengthDelimited(pos, end);
        let p = start;
        let n = 0;
        while (p < stop) {
          const length = this.varintLength(p, stop);
          if (is32) this.checkVarint32(p, length);
          p += length;
          n++;
        }
        this.count(n);
        return stop;
      }
      case "fixed32":
      case "packedFixed32":
      case "fixed64":
      case "packedFixed64": {
        const width = field.kind === "fixed32" || field.kind === "packedFixed32" ? 4 : 8;
        const wireFixed = width === 4 ? WIRE_FIXED32 : WIRE_FIXED64;
        if (wire === wireFixed) return fixed(width);
        if (wire !== WIRE_LEN || (field.kind !== "packedFixed32" && field.kind !== "packedFixed64")) return mismatch();
        const { start, stop } = this.lengthDelimited(pos, end);
        if ((stop - start) % width !== 0)
          this.malformed(start, `packed field length ${stop - start} is not a multiple of ${width}`);
        this.count((stop - start) / width);
        return stop;
      }
      case "string": {
        if (wire !== WIRE_LEN) return mismatch();
        const { start, stop } = this.lengthDelimited(pos, end);
        try {
          utf8.decode(this.buf.subarray(start, stop));
        } catch {
          throw new MalformedModelError(
            "MALFORMED_PROTOBUF",
            `${type} field ${fieldNo} is not valid UTF-8 (byte ${start})`,
          );
        }
        return stop;
      }
      case "bytes": {
        if (wire !== WIRE_LEN) return mismatch();
        return this.lengthDelimited(pos, end).stop;
      }
      case "message": {
        if (wire !== WIRE_LEN) return mismatch();
        const { start, stop } = this.lengthDelimited(pos, end);
        this.scan(field.type as MessageName, start, stop, depth + 1);
        return stop;
      }
    }
  }

  private lengthDelimited(pos: number, end: number): { start: number; stop: number } {
    const len = this.smallVarint(pos, end, "length");
    const start = pos + len.length;
    const stop = start + len.value;
    if (stop > end) this.malformed(pos, `length ${len.value} runs past the end of its message`);
    return { start, stop };
  }
}

/**
 * Walks `bytes` as a ModelProto and throws MalformedModelError or
 * LimitExceededError (PROTOBUF_TOO_COMPLEX, TOO_MANY_NODES) before any decoding.
 */
export function scanModelWire(bytes: Uint8Array): WireStats {
  const scanner = new Scanner(bytes);
  scanner.scan("ModelProto", 0, bytes.length, 0);
  return { items: scanner.items, maxDepth: scanner.maxDepth, maxNodesPerGraph: scanner.maxNodes };
}
