/**
 * A small typed builder of ONNX `ModelProto` bytes, over onnx-proto.
 *
 * Used by tests everywhere (single-op models for the differential tests,
 * graphs for the loader/compiler tests) and by the hostile-file corpus, which
 * is why it also lets a caller bend the rules: any ONNX element type code,
 * symbolic dimensions, raw attributes, extra opset imports, and `buildProto()`
 * to mutate the message before encoding it.
 *
 *     const bytes = new GraphBuilder({ opset: 13 })
 *       .input("x", DType.INT8, [1, 4])
 *       .initializer("w", wTensor)
 *       .node("MatMulInteger", ["x", "w"], ["y"])
 *       .output("y", DType.INT32, [1, 3])
 *       .build();
 */
import onnxProto from "onnx-proto";
// The package is CommonJS: Node's ESM loader cannot see its named export, so
// the value comes from the default import and only types are named.
import type { onnx as pb } from "onnx-proto";
import { dtypeInfo, DType } from "../tensor/dtype.ts";
import type { Tensor } from "../tensor/tensor.ts";

const { onnx } = onnxProto;
const AttrType = onnx.AttributeProto.AttributeType;

export const DEFAULT_IR_VERSION = 8;

/**
 * An attribute value: a number or bigint is an INT attribute, a number array an INTS
 * attribute, `{ float }` a FLOAT attribute (rounded to float32), `{ string }` a STRING one.
 */
export type AttrValue = number | number[] | bigint | { readonly float: number } | { readonly string: string };

/** A dimension: a number is `dim_value`, a string is a symbolic `dim_param`. */
export type Dim = number | string;

export interface GraphBuilderOptions {
  /** Version of the default-domain opset import. */
  readonly opset: number;
  /** ModelProto.ir_version; 8 unless given. */
  readonly irVersion?: number;
  readonly graphName?: string;
  readonly producerName?: string;
  /** Extra opset imports (custom domains), appended after the default domain. */
  readonly extraOpsets?: readonly { domain: string; version: number }[];
}

export interface NodeOptions {
  readonly name?: string;
  readonly domain?: string;
  /** Raw attributes appended after the typed ones (for hostile files: floats, strings, graphs…). */
  readonly rawAttributes?: readonly pb.IAttributeProto[];
}

type Int64 = NonNullable<pb.IAttributeProto["i"]>;

/** A protobufjs int64 from a bigint, exact over the whole int64 range. */
function int64(value: number | bigint): Int64 {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value))
      throw new RangeError(`attribute value ${value} is not a safe integer; pass a bigint`);
    return value;
  }
  if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new RangeError(`attribute value ${value} is outside int64`);
  if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  const u = BigInt.asUintN(64, value);
  // protobufjs accepts any { low, high } object for an int64 field (LongBits.from).
  const long = { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: false };
  return long as unknown as Int64;
}

function valueInfo(name: string, elemType: number, shape: readonly Dim[] | undefined): pb.IValueInfoProto {
  const tensorType: pb.TypeProto.ITensor = { elemType };
  if (shape !== undefined) {
    tensorType.shape = { dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) };
  }
  return { name, type: { tensorType } };
}

/** Little-endian raw_data of a tensor's row-major values, as ONNX requires. */
export function rawDataOf(tensor: Tensor): Uint8Array {
  const { dtype } = tensor.spec;
  const width = dtypeInfo(dtype).width;
  const out = new Uint8Array(tensor.size * width);
  const view = new DataView(out.buffer);
  const data = tensor.data;
  for (let i = 0; i < data.length; i++) {
    switch (dtype) {
      case DType.FLOAT:
        // The bit pattern, so that any NaN payload reaches the file as given.
        view.setUint32(4 * i, Number(tensor.at(i)), true);
        break;
      case DType.INT8:
        view.setInt8(i, Number(data[i]));
        break;
      case DType.UINT8:
        view.setUint8(i, Number(data[i]));
        break;
      case DType.INT32:
        view.setInt32(4 * i, Number(data[i]), true);
        break;
      case DType.INT64:
        view.setBigInt64(8 * i, tensor.at(i), true);
        break;
    }
  }
  return out;
}

/** A TensorProto (name, dims, data_type, raw_data) of a Tensor; its layout is ignored (ONNX is row-major). */
export function tensorProto(name: string, tensor: Tensor): pb.ITensorProto {
  return { name, dims: [...tensor.spec.shape], dataType: tensor.spec.dtype, rawData: rawDataOf(tensor) };
}

export class GraphBuilder {
  private readonly inputs: pb.IValueInfoProto[] = [];
  private readonly outputs: pb.IValueInfoProto[] = [];
  private readonly valueInfos: pb.IValueInfoProto[] = [];
  private readonly initializers: pb.ITensorProto[] = [];
  private readonly nodes: pb.INodeProto[] = [];
  private nodeCounter = 0;

  constructor(private readonly options: GraphBuilderOptions) {}

  /** A graph input. `dtype` is any ONNX element type code (DType for the integer profile). */
  input(name: string, dtype: DType | number, shape: readonly Dim[] | undefined): this {
    this.inputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  /** A graph output. */
  output(name: string, dtype: DType | number, shape: readonly Dim[] | undefined): this {
    this.outputs.push(valueInfo(name, dtype, shape));
    return this;
  }

  /** An intermediate value_info entry (shape annotation). */
  valueInfo(name: string, dtype: DType | number, shape: readonly Dim[] | undefined): this {
    this.valueInfos.push(valueInfo(name, dtype, shape));
    return this;
  }

  /** An initializer holding `tensor`'s values (row-major, raw_data little-endian). */
  initializer(name: string, tensor: Tensor): this {
    this.initializers.push(tensorProto(name, tensor));
    return this;
  }

  /** An arbitrary TensorProto initializer (e.g. float, external data, inconsistent sizes). */
  rawInitializer(proto: pb.ITensorProto): this {
    this.initializers.push(proto);
    return this;
  }

  /**
   * A node. `inputs` are value names in ONNX order, '' for an omitted optional
   * input. Attributes: number/bigint → INT, number[] → INTS, { float } → FLOAT, { string } → STRING.
   */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs?: Record<string, AttrValue>,
    options?: NodeOptions,
  ): this {
    const attribute: pb.IAttributeProto[] = [];
    for (const [name, value] of Object.entries(attrs ?? {})) {
      if (Array.isArray(value)) attribute.push({ name, type: AttrType.INTS, ints: value.map(int64) });
      else if (typeof value === "object" && "float" in value)
        attribute.push({ name, type: AttrType.FLOAT, f: value.float });
      else if (typeof value === "object") {
        attribute.push({ name, type: AttrType.STRING, s: new TextEncoder().encode(value.string) });
      } else attribute.push({ name, type: AttrType.INT, i: int64(value) });
    }
    if (options?.rawAttributes) attribute.push(...options.rawAttributes);
    const node: pb.INodeProto = {
      name: options?.name ?? `${opType}_${this.nodeCounter}`,
      opType,
      input: [...inputs],
      output: [...outputs],
      attribute,
    };
    if (options?.domain !== undefined) node.domain = options.domain;
    this.nodeCounter++;
    this.nodes.push(node);
    return this;
  }

  /** The ModelProto message, for callers that want to mutate it before encoding. */
  buildProto(): pb.ModelProto {
    const opsetImport: pb.IOperatorSetIdProto[] = [{ domain: "", version: this.options.opset }];
    for (const extra of this.options.extraOpsets ?? [])
      opsetImport.push({ domain: extra.domain, version: extra.version });
    return onnx.ModelProto.create({
      irVersion: this.options.irVersion ?? DEFAULT_IR_VERSION,
      producerName: this.options.producerName ?? "refute-builder",
      opsetImport,
      graph: {
        name: this.options.graphName ?? "g",
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
        valueInfo: this.valueInfos,
      },
    });
  }

  /** The serialized ModelProto. */
  build(): Uint8Array {
    return encodeModel(this.buildProto());
  }
}

/** Serializes a (possibly hand-edited) ModelProto. */
export function encodeModel(model: pb.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
