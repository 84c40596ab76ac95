import type { onnx as pb } from "onnx-proto";
import type { Hex } from "viem";
import { isIntegerOp, opcodeOf, type OpName } from "../graph/opcode.ts";
import { fileHashOf, Profile } from "../model/modelSpec.ts";
import { at } from "../tensor/at.ts";
import { DType, dtypeInfo, isDType } from "../tensor/dtype.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { decodeModel, hasField, int64Of } from "./decode.ts";
import {
  CustomDomainError,
  DynamicShapeError,
  GraphStructureError,
  MalformedModelError,
  OpsetError,
  ProfileRuleError,
  UnsupportedDTypeError,
  UnsupportedOpError,
  LimitExceededError,
  type ModelErrorLocation,
} from "./errors.ts";
import { checkInitializerDType, checkInlineData, initializerTensor } from "./initializer.ts";
import { Limits } from "./limits.ts";
import { FLOAT_OP_RULES } from "./floatOps.ts";
import { OP_RULES, type AttrRule, type OpInput, type OpRule, type ValueType } from "./ops.ts";
import { checkedElementCount, sameShape } from "./shapes.ts";

/**
 * Loading = decoding + validation against the exact integer profile
 * (docs/PROTOCOL.md §6, §8) or the float32 profile (§11.7, §11.8) + static shape
 * inference. The profile is chosen from the graph: a float32 job input makes a float32
 * model, an int8/uint8 one an exact integer model (`LoadOptions.profile` may require
 * one; a file of the other is then refused). A node of the other profile, or an operand
 * of the other profile's element types, is a model mixing profiles and is refused. The
 * checks run in a fixed order, so a file breaking several rules always gets the same error:
 *
 *  1. file size, protobuf wire scan (limits, malformed bytes), decoding;
 *  2. model level: graph present, IR version, opset imports, local functions, training info;
 *  3. every node's domain and op type (before anything about its operands);
 *  4. initializers stored outside the file (never opened);
 *  5. element types of everything declared: initializers, graph inputs/outputs, value_info;
 *  6. initializer shapes against the limits, then their data against their shapes;
 *  7. the profile (from the job input's declared type), then graph structure: one input,
 *     one output, single-output nodes, names, topological order;
 *  8. static input/output shapes;
 *  9. per node, in order: attributes, then operand rules and shape inference;
 * 10. declared output and value_info against the inferred types.
 */

export interface NamedValueType extends ValueType {
  readonly name: string;
}

export interface LoadedNode {
  readonly index: number;
  /** The ONNX node name; the output name when the node has none. */
  readonly name: string;
  readonly opType: OpName;
  /** ONNX input names in order; null for an omitted optional input. */
  readonly inputs: readonly (string | null)[];
  readonly output: string;
  readonly outputType: ValueType;
  /** Descriptor attrs (§5), normalized. */
  readonly attrs: readonly bigint[];
}

/** A model that passed every check, with inferred types. */
export interface LoadedModel {
  /** The verification profile the graph is in (§7). */
  readonly profile: Profile;
  readonly bytes: Uint8Array;
  readonly fileHash: Hex;
  readonly irVersion: number;
  readonly opset: number;
  readonly input: NamedValueType;
  readonly output: NamedValueType;
  /** Every initializer, row-major, by name. */
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly nodes: readonly LoadedNode[];
}

export interface LoadOptions {
  /** Require this profile; by default it is read from the job input's element type. */
  readonly profile?: Profile;
}

const DEFAULT_DOMAINS = new Set(["", "ai.onnx"]);
/** AttributeProto.AttributeType values. */
const ATTR_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const;

const PROFILE_NAME: Record<Profile, string> = {
  [Profile.EXACT_INT]: "exact integer",
  [Profile.FLOAT32]: "float32",
};

function rulesOf(profile: Profile): Readonly<Partial<Record<OpName, OpRule>>> {
  return profile === Profile.FLOAT32 ? FLOAT_OP_RULES : OP_RULES;
}

function nodeLabel(node: pb.INodeProto, index: number): string {
  const name = node.name ?? "";
  return name !== "" ? name : `#${index} (${node.opType ?? "?"})`;
}

function dtypeLabel(code: number): string {
  return isDType(code) ? dtypeInfo(code).name : `ONNX elem_type ${code}`;
}

/** Decodes and validates an ONNX file; throws a ModelValidationError subclass on any rule of §8 (§11.8 for float32). */
export function loadModel(bytes: Uint8Array, options: LoadOptions = {}): LoadedModel {
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (graph === null || graph === undefined) throw new MalformedModelError("MISSING_GRAPH", "the model has no graph");

  const irVersion = int64Of(model.irVersion);
  if (irVersion < BigInt(Limits.MIN_IR_VERSION) || irVersion > BigInt(Limits.MAX_IR_VERSION)) {
    throw new OpsetError(
      "UNSUPPORTED_IR_VERSION",
      `IR version ${irVersion} is outside ${Limits.MIN_IR_VERSION}…${Limits.MAX_IR_VERSION}`,
    );
  }
  const opset = defaultOpset(model);
  const [f] = model.functions ?? [];
  if (f !== undefined) {
    throw new CustomDomainError(
      "LOCAL_FUNCTIONS",
      f.domain ?? "",
      `the model defines local functions (${JSON.stringify(f.name ?? "")} in domain ${JSON.stringify(f.domain ?? "")})`,
    );
  }
  if ((model.trainingInfo ?? []).length > 0) {
    throw new ProfileRuleError("TRAINING_INFO", "the model carries training_info");
  }

  const nodes = graph.node ?? [];
  if (nodes.length === 0) throw new GraphStructureError("EMPTY_GRAPH", "the graph has no nodes");
  if (nodes.length > Limits.MAX_NODES) {
    throw new LimitExceededError(
      "TOO_MANY_NODES",
      String(nodes.length),
      String(Limits.MAX_NODES),
      `the graph has ${nodes.length} nodes, more than ${Limits.MAX_NODES}`,
    );
  }
  const opTypes = nodes.map((n, i) => checkOp(n, i));

  const [sparse] = graph.sparseInitializer ?? [];
  if (sparse !== undefined) {
    throw new ProfileRuleError("SPARSE_INITIALIZER", "sparse initializers are not accepted", {
      tensor: sparse.values?.name ?? "",
    });
  }
  const initializerProtos = graph.initializer ?? [];
  for (const t of initializerProtos) checkInlineData(t);

  for (const t of initializerProtos) checkInitializerDType(t);
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) tensorTypeOf(v);

  const initializers = new Map<string, Tensor>();
  for (const t of initializerProtos) {
    const tensor = initializerTensor(t);
    const name = t.name ?? "";
    if (initializers.has(name))
      throw new GraphStructureError("DUPLICATE_NAME", "two initializers share a name", { tensor: name });
    initializers.set(name, tensor);
  }

  const profile = profileOf(graph, initializers, options);
  if (profile === Profile.EXACT_INT) refuseFloatValues(graph);
  const rules = rulesOf(profile);
  const structure = checkStructure(graph, nodes, initializers, profile);
  const input = staticValue(structure.input, "graph input");
  if (profile === Profile.EXACT_INT && input.dtype !== DType.INT8 && input.dtype !== DType.UINT8) {
    throw new UnsupportedDTypeError(
      "INPUT_DTYPE",
      input.dtype,
      `the job input is ${dtypeLabel(input.dtype)}; it must be int8 or uint8 (exact integer profile) or float32 (float32 profile)`,
      { tensor: input.name },
    );
  }
  const declaredOutput = staticValue(structure.output, "graph output");

  const types = new Map<string, ValueType>();
  types.set(input.name, input);
  for (const [name, t] of initializers) types.set(name, { dtype: t.spec.dtype, shape: t.spec.shape });

  const loaded: LoadedNode[] = [];
  nodes.forEach((node, index) => {
    const where: ModelErrorLocation = { node: nodeLabel(node, index) };
    // opTypes and the structure's inputs and outputs hold one entry per node.
    const opType = at(opTypes, index);
    const rule = rules[opType] as OpRule; // checkStructure refused ops outside the profile
    const attributes = readAttributes(node, rule.attrs, opset, where);
    const inputNames = at(structure.inputs, index);
    const inputs: (OpInput | null)[] = inputNames.map((name) => {
      if (name === null) return null;
      const type = types.get(name) as ValueType;
      const constant = initializers.get(name);
      return constant !== undefined ? { name, type, constant } : { name, type };
    });
    if (profile === Profile.EXACT_INT) {
      const float = inputs.find((x) => x !== null && x.type.dtype === DType.FLOAT);
      if (float !== undefined && float !== null) {
        throw new ProfileRuleError(
          "MIXED_PROFILE",
          `${opType} input ${JSON.stringify(float.name)} is float32 in an exact integer model (int8/uint8 job input): a model mixing the profiles is refused`,
          where,
        );
      }
    }
    const result = rule.infer({ where, opset, inputs, ...attributes });
    const output = at(structure.outputs, index);
    types.set(output, result.output);
    loaded.push({
      index,
      name: (node.name ?? "") !== "" ? (node.name as string) : output,
      opType,
      inputs: inputNames,
      output,
      outputType: result.output,
      attrs: result.attrs,
    });
  });

  const last = loaded.at(-1);
  if (last === undefined) throw new GraphStructureError("EMPTY_GRAPH", "the graph has no nodes");
  checkDeclared(declaredOutput, last.outputType, "graph output");
  for (const v of graph.valueInfo ?? []) {
    const name = v.name ?? "";
    const inferred = types.get(name);
    if (inferred === undefined) {
      throw new GraphStructureError("UNKNOWN_NAME", "value_info names a value the graph does not have", {
        tensor: name,
      });
    }
    checkDeclaredLoose(v, inferred);
  }
  for (const v of structure.constantInputs) checkDeclaredLoose(v, types.get(v.name ?? "") as ValueType);

  return {
    profile,
    bytes,
    fileHash: fileHashOf(bytes),
    irVersion: Number(irVersion),
    opset,
    input,
    output: { ...last.outputType, name: last.output },
    initializers,
    nodes: loaded,
  };
}

/** The single default-domain opset import, checked to be in 13…21; any other domain is refused. */
function defaultOpset(model: pb.ModelProto): number {
  let version: bigint | undefined;
  for (const imp of model.opsetImport ?? []) {
    const domain = imp.domain ?? "";
    if (!DEFAULT_DOMAINS.has(domain)) {
      throw new CustomDomainError("CUSTOM_DOMAIN", domain, `the model imports opset domain ${JSON.stringify(domain)}`);
    }
    if (version !== undefined) throw new OpsetError("DUPLICATE_OPSET", "the default domain is imported twice");
    version = int64Of(imp.version);
  }
  if (version === undefined) throw new OpsetError("MISSING_OPSET", "the model imports no default-domain opset");
  if (version < BigInt(Limits.MIN_OPSET) || version > BigInt(Limits.MAX_OPSET)) {
    throw new OpsetError(
      "UNSUPPORTED_OPSET",
      `default-domain opset ${version} is outside ${Limits.MIN_OPSET}…${Limits.MAX_OPSET}`,
    );
  }
  return Number(version);
}

/**
 * The profile of the graph: float32 when its job input (the one graph input that is not
 * an initializer) is declared float32, exact integer otherwise (a graph without one
 * such input is refused later, by the structure check). An explicit profile must agree.
 */
function profileOf(graph: pb.IGraphProto, initializers: ReadonlyMap<string, Tensor>, options: LoadOptions): Profile {
  const jobInputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? ""));
  const [only] = jobInputs;
  const fromGraph =
    jobInputs.length === 1 && only?.type?.tensorType?.elemType === DType.FLOAT ? Profile.FLOAT32 : Profile.EXACT_INT;
  if (options.profile !== undefined && options.profile !== fromGraph) {
    throw new ProfileRuleError(
      "PROFILE_MISMATCH",
      `the ${PROFILE_NAME[options.profile]} profile was required, but the job input makes this a ${PROFILE_NAME[fromGraph]} model`,
      only !== undefined ? { tensor: only.name ?? "" } : {},
    );
  }
  return fromGraph;
}

/** An exact integer model holds no float32 value at all, used or not: declared, or as an initializer. */
function refuseFloatValues(graph: pb.IGraphProto): void {
  const mixed = (name: string, what: string) =>
    new ProfileRuleError(
      "MIXED_PROFILE",
      `${what} is float32 in an exact integer model (int8/uint8 job input): a model mixing the profiles is refused`,
      { tensor: name },
    );
  for (const t of graph.initializer ?? []) {
    if (t.dataType === DType.FLOAT) throw mixed(t.name ?? "", "the initializer");
  }
  for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    if (v.type?.tensorType?.elemType === DType.FLOAT) throw mixed(v.name ?? "", "the declared value");
  }
}

function checkOp(node: pb.INodeProto, index: number): OpName {
  const where = { node: nodeLabel(node, index) };
  const domain = node.domain ?? "";
  if (!DEFAULT_DOMAINS.has(domain)) {
    throw new CustomDomainError(
      "CUSTOM_DOMAIN",
      domain,
      `op ${node.opType ?? ""} is in domain ${JSON.stringify(domain)}`,
      where,
    );
  }
  const opType = node.opType ?? "";
  if (opcodeOf(opType) === undefined) {
    throw new UnsupportedOpError(
      opType,
      `op ${JSON.stringify(opType)} is in neither the exact integer nor the float32 profile`,
      where,
    );
  }
  return opType as OpName;
}

interface DeclaredValue {
  readonly name: string;
  readonly dtype: number;
  /** undefined when the value has no shape at all; a dim is undefined when symbolic or unset. */
  readonly dims: readonly (bigint | undefined)[] | undefined;
}

/** The tensor type of a ValueInfoProto; refuses non-tensor and non-integer types. */
function tensorTypeOf(v: pb.IValueInfoProto): DeclaredValue {
  const name = v.name ?? "";
  const tt = v.type?.tensorType;
  if (tt === null || tt === undefined) {
    throw new UnsupportedDTypeError(
      "NOT_A_TENSOR",
      0,
      "the value is not a tensor (sequence, map, optional or sparse)",
      {
        tensor: name,
      },
    );
  }
  const dtype = tt.elemType ?? 0;
  if (!isDType(dtype)) {
    throw new UnsupportedDTypeError(
      "UNSUPPORTED_DTYPE",
      dtype,
      `declared type ${dtypeLabel(dtype)} is not one of float32, uint8, int8, int32, int64`,
      { tensor: name },
    );
  }
  const shape = tt.shape;
  const dims =
    shape === null || shape === undefined
      ? undefined
      : (shape.dim ?? []).map((d) => (hasField(d, "dimValue") ? int64Of(d.dimValue) : undefined));
  return { name, dtype, dims };
}

/** A graph input/output's declared type, which must be fully static. */
function staticValue(v: pb.IValueInfoProto, what: string): NamedValueType & { dtype: DType } {
  const declared = tensorTypeOf(v);
  const where = { tensor: declared.name };
  if (declared.dims === undefined) throw new DynamicShapeError(`the ${what} has no shape`, where);
  const dims: bigint[] = [];
  declared.dims.forEach((d, i) => {
    if (d === undefined) throw new DynamicShapeError(`the ${what} has a symbolic or unset dimension ${i}`, where);
    dims.push(d);
  });
  checkedElementCount(dims, what, where);
  return { name: declared.name, dtype: declared.dtype as DType, shape: dims.map(Number) };
}

function checkDeclared(declared: NamedValueType, inferred: ValueType, what: string): void {
  if (declared.dtype !== inferred.dtype || !sameShape(declared.shape, inferred.shape)) {
    throw new ProfileRuleError(
      "VALUE_INFO_MISMATCH",
      `the ${what} is declared ${dtypeLabel(declared.dtype)} [${declared.shape.join(",")}] but computes to ${dtypeLabel(inferred.dtype)} [${inferred.shape.join(",")}]`,
      { tensor: declared.name },
    );
  }
}

/** value_info may leave dims symbolic (we infer them), but what it does state must agree. */
function checkDeclaredLoose(v: pb.IValueInfoProto, inferred: ValueType): void {
  const declared = tensorTypeOf(v);
  const agrees =
    declared.dtype === inferred.dtype &&
    (declared.dims === undefined ||
      (declared.dims.length === inferred.shape.length &&
        declared.dims.every((d, i) => {
          const dim = inferred.shape[i];
          return d === undefined || (dim !== undefined && d === BigInt(dim));
        })));
  if (!agrees) {
    const dims =
      declared.dims === undefined ? "?" : declared.dims.map((d) => (d === undefined ? "?" : String(d))).join(",");
    throw new ProfileRuleError(
      "VALUE_INFO_MISMATCH",
      `declared ${dtypeLabel(declared.dtype)} [${dims}] but computes to ${dtypeLabel(inferred.dtype)} [${inferred.shape.join(",")}]`,
      { tensor: declared.name },
    );
  }
}

interface Structure {
  readonly input: pb.IValueInfoProto;
  readonly output: pb.IValueInfoProto;
  /** Graph inputs that name an initializer (IR < 4 style; the initializer's value is used). */
  readonly constantInputs: readonly pb.IValueInfoProto[];
  /** Per node, its resolved input names (null = omitted). */
  readonly inputs: readonly (readonly (string | null)[])[];
  /** Per node, the name of its one output. */
  readonly outputs: readonly string[];
}

function checkStructure(
  graph: pb.IGraphProto,
  nodes: readonly pb.INodeProto[],
  initializers: ReadonlyMap<string, Tensor>,
  profile: Profile,
): Structure {
  const rules = rulesOf(profile);
  const graphInputs = graph.input ?? [];
  const seenInputs = new Set<string>();
  for (const v of graphInputs) {
    const name = v.name ?? "";
    if (name === "") throw new GraphStructureError("EMPTY_NAME", "a graph input has no name");
    if (seenInputs.has(name))
      throw new GraphStructureError("DUPLICATE_NAME", "two graph inputs share a name", { tensor: name });
    seenInputs.add(name);
  }
  const jobInputs = graphInputs.filter((v) => !initializers.has(v.name ?? ""));
  const constantInputs = graphInputs.filter((v) => initializers.has(v.name ?? ""));
  const [input] = jobInputs;
  if (jobInputs.length !== 1 || input === undefined) {
    throw new GraphStructureError(
      "INPUT_COUNT",
      `the graph has ${jobInputs.length} inputs (besides initializers); exactly one is required`,
    );
  }
  const graphOutputs = graph.output ?? [];
  const [output] = graphOutputs;
  if (graphOutputs.length !== 1 || output === undefined) {
    throw new GraphStructureError(
      "OUTPUT_COUNT",
      `the graph has ${graphOutputs.length} outputs; exactly one is required`,
    );
  }
  const jobInput = input.name ?? "";

  const producer = new Map<string, number>();
  const nodeNames = new Set<string>();
  const outputs = nodes.map((node, i) => {
    const where = { node: nodeLabel(node, i) };
    const name = node.name ?? "";
    if (name !== "") {
      if (nodeNames.has(name)) throw new GraphStructureError("DUPLICATE_NAME", "two nodes share a name", where);
      nodeNames.add(name);
    }
    const outs = node.output ?? [];
    const [out] = outs;
    if (outs.length !== 1 || out === undefined) {
      throw new GraphStructureError(
        "NODE_OUTPUT_COUNT",
        `the node has ${outs.length} outputs; exactly one is required`,
        where,
      );
    }
    if (out === "") throw new GraphStructureError("EMPTY_NAME", "the node's output has no name", where);
    if (producer.has(out) || initializers.has(out) || out === jobInput) {
      throw new GraphStructureError("DUPLICATE_NAME", "the value is produced twice", { ...where, tensor: out });
    }
    producer.set(out, i);
    return out;
  });

  const inputs = nodes.map((node, i) => {
    const where = { node: nodeLabel(node, i) };
    const rule = rules[node.opType as OpName];
    if (rule === undefined) {
      const other = isIntegerOp(node.opType ?? "") ? "exact integer" : "float32";
      throw new ProfileRuleError(
        "MIXED_PROFILE",
        `${node.opType} is an operator of the ${other} profile only, in a ${PROFILE_NAME[profile]} model: a model mixing the profiles is refused`,
        where,
      );
    }
    const names = node.input ?? [];
    if (names.length > Limits.MAX_NODE_INPUTS) {
      throw new LimitExceededError(
        "TOO_MANY_INPUTS",
        String(names.length),
        String(Limits.MAX_NODE_INPUTS),
        `the node has ${names.length} inputs, more than ${Limits.MAX_NODE_INPUTS}`,
        where,
      );
    }
    if (names.length < rule.minInputs || names.length > rule.maxInputs) {
      const range =
        rule.maxInputs === Number.POSITIVE_INFINITY
          ? `at least ${rule.minInputs}`
          : `${rule.minInputs}…${rule.maxInputs}`;
      throw new GraphStructureError(
        "NODE_INPUT_COUNT",
        `${node.opType} takes ${range} inputs, got ${names.length}`,
        where,
      );
    }
    return names.map((name, k) => {
      if (name === "") {
        if (!rule.optional.includes(k)) {
          throw new GraphStructureError("NODE_INPUT_COUNT", `${node.opType} input ${k} is required but empty`, where);
        }
        return null;
      }
      if (name === jobInput || initializers.has(name)) return name;
      const from = producer.get(name);
      if (from === undefined) {
        throw new GraphStructureError("UNKNOWN_NAME", "the node reads a value nothing produces", {
          ...where,
          tensor: name,
        });
      }
      if (from >= i) {
        throw new GraphStructureError(
          "NOT_TOPOLOGICAL",
          `the node reads the output of node #${from}, which does not come before it (cycle or wrong order)`,
          { ...where, tensor: name },
        );
      }
      return name;
    });
  });

  const lastOut = outputs.at(-1);
  if ((output.name ?? "") !== lastOut) {
    throw new GraphStructureError(
      "OUTPUT_NOT_LAST_NODE",
      `the graph output is not the output of the last node (${JSON.stringify(lastOut)})`,
      { tensor: output.name ?? "" },
    );
  }
  return { input, output, constantInputs, inputs, outputs };
}

/** A node's attributes by type, as OpContext takes them. */
interface Attributes {
  readonly attrs: Map<string, bigint>;
  readonly floats: Map<string, number>;
  readonly ints: Map<string, readonly bigint[]>;
  readonly strings: Map<string, string>;
}

const F32 = new Float32Array(1);
const F32_BITS = new Uint32Array(F32.buffer);

/**
 * The node's attributes, each allowed for its op at this opset, of its rule's type (INT
 * unless stated) and allowed values; no others.
 */
function readAttributes(
  node: pb.INodeProto,
  rules: Readonly<Record<string, AttrRule>>,
  opset: number,
  where: ModelErrorLocation,
): Attributes {
  const out: Attributes = { attrs: new Map(), floats: new Map(), ints: new Map(), strings: new Map() };
  const seen = new Set<string>();
  for (const a of node.attribute ?? []) {
    const name = a.name ?? "";
    const rule = Object.hasOwn(rules, name) ? rules[name] : undefined;
    if (rule === undefined || (rule.since !== undefined && opset < rule.since)) {
      throw new ProfileRuleError(
        "INVALID_ATTRIBUTE",
        `${node.opType} at opset ${opset} has no attribute ${JSON.stringify(name)}`,
        where,
      );
    }
    if ((a.refAttrName ?? "") !== "") {
      throw new ProfileRuleError("INVALID_ATTRIBUTE", `attribute ${name} refers to a function attribute`, where);
    }
    const type = rule.type ?? "int";
    if (a.type !== ATTR_TYPE[type]) {
      throw new ProfileRuleError(
        "INVALID_ATTRIBUTE",
        `attribute ${name} must have type ${type.toUpperCase()}, has type ${a.type ?? 0}`,
        where,
      );
    }
    if (seen.has(name)) throw new ProfileRuleError("INVALID_ATTRIBUTE", `attribute ${name} appears twice`, where);
    seen.add(name);
    switch (type) {
      case "int": {
        const value = int64Of(a.i);
        if (rule.values !== undefined && !rule.values.includes(value)) {
          throw new ProfileRuleError(
            "INVALID_ATTRIBUTE",
            `attribute ${name} = ${value} is not one of ${rule.values.join(", ")}`,
            where,
          );
        }
        out.attrs.set(name, value);
        break;
      }
      case "float":
        // protobufjs decodes the fixed32 into a number exactly; back to its bit pattern.
        F32[0] = a.f ?? 0;
        out.floats.set(name, F32_BITS[0] as number);
        break;
      case "ints": {
        const list = a.ints ?? [];
        if (list.length > Limits.MAX_RANK * 2) {
          throw new ProfileRuleError("INVALID_ATTRIBUTE", `attribute ${name} has ${list.length} values`, where);
        }
        out.ints.set(
          name,
          list.map((v) => int64Of(v)),
        );
        break;
      }
      case "string":
        out.strings.set(
          name,
          new TextDecoder("utf-8", { fatal: false }).decode((a.s ?? new Uint8Array(0)).slice(0, 64)),
        );
        break;
    }
  }
  for (const [name, rule] of Object.entries(rules)) {
    if (rule.required === true && !seen.has(name)) {
      throw new ProfileRuleError("INVALID_ATTRIBUTE", `required attribute ${name} is missing`, where);
    }
  }
  return out;
}
