/**
 * A node's ONNX attributes as the float checker takes them (attributes.ts): the scalar and
 * list kinds it reads, by name. Tensor and graph attributes are left out: only Constant
 * carries one, and its value is read as a constant, not as an attribute.
 */
import onnxProto from "onnx-proto";
// The package is CommonJS: Node's ESM loader cannot see its named export, so
// the value comes from the default import and only types are named.
import type { onnx as pb } from "onnx-proto";
import { int64Of } from "../../onnx/decode.ts";
import type { Attributes, AttributeValue } from "./attributes.ts";

const { onnx } = onnxProto;

export function attributesOf(node: pb.INodeProto): Attributes {
  const out: Record<string, AttributeValue> = {};
  for (const a of node.attribute ?? []) {
    const name = a.name ?? "";
    switch (a.type) {
      case onnx.AttributeProto.AttributeType.INT:
        out[name] = Number(int64Of(a.i as number));
        break;
      case onnx.AttributeProto.AttributeType.INTS:
        out[name] = (a.ints ?? []).map((v) => Number(int64Of(v as number)));
        break;
      case onnx.AttributeProto.AttributeType.FLOAT:
        out[name] = a.f ?? 0;
        break;
      case onnx.AttributeProto.AttributeType.FLOATS:
        out[name] = [...(a.floats ?? [])];
        break;
      case onnx.AttributeProto.AttributeType.STRING:
        out[name] = new TextDecoder().decode(a.s ?? new Uint8Array(0));
        break;
      default:
        break;
    }
  }
  return out;
}
