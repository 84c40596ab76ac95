import { MAX_ELEMENTS } from "../tensor/spec.ts";

/**
 * Bounds of the exact integer profile (docs/PROTOCOL.md §8) and of the
 * loader's own safety budget. Every one is checked before the memory it
 * guards is allocated, so a hostile file costs at most a bounded scan.
 */
export const Limits = {
  /** §8: the ONNX file itself. */
  MAX_FILE_BYTES: 64 * 1024 * 1024,
  /** §8: nodes in the graph. */
  MAX_NODES: 4096,
  /** §2/§8: elements of any one tensor (initializer, input, node output). */
  MAX_ELEMENTS,
  /**
   * Rank of any tensor. Not in §8 yet: a bound keeps the on-chain index
   * arithmetic (a loop over the axes) and descriptor sizes small.
   */
  MAX_RANK: 16,
  /**
   * Inputs of one node (only Max/Min are variadic). Not in §8 yet: a
   * one-step proof opens one element per operand, and an unbounded list lets a
   * small file cost minutes of descriptor hashing.
   */
  MAX_NODE_INPUTS: 64,
  /**
   * §8: elements one output element reads from one operand run — MatMulInteger's K
   * and ArgMax's row. It bounds the gas of a one-step proof (MatMulInteger at
   * K = 4096 is measured in bench/gas.json), so every node stays provable in a block.
   */
  MAX_ONE_STEP_RUN: 4096,
  /** §8: default-domain opset range. */
  MIN_OPSET: 13,
  MAX_OPSET: 21,
  /** §8: IR ≥ 3; the upper bound is the newest IR whose fields the wire scanner knows. */
  MIN_IR_VERSION: 3,
  MAX_IR_VERSION: 12,
  /**
   * Decoder budget, not a protocol rule: protobuf fields plus elements of
   * packed repeated fields in the whole file. protobufjs turns each into a JS
   * value (an int64 into a ~50-byte object), so without this bound a 64 MiB
   * file of one-byte varints would decode into gigabytes. Large tensors must
   * use raw_data, which every exporter does.
   */
  MAX_WIRE_ITEMS: 1 << 22,
  /** Decoder budget: nesting of protobuf messages (an honest model needs about 8). */
  MAX_MESSAGE_DEPTH: 32,
} as const;
