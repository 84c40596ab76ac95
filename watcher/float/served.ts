/**
 * A provider's served trace (provider/traceServer.ts: `{ nodeRoots, nodes: [{ index, root,
 * spec, packed }] }`) checked against what the chain and the model bind before anything is
 * judged from it: one node per node of the compiled model, each of its node's output spec,
 * each root recomputed from its packed bytes equal to the served one, and the last root
 * equal to the job's committed outputRoot. A trace that fails any of these proves nothing
 * about the job (it may not be the trace behind the commitment at all), so it is
 * `invalid` and never challenged on.
 */
import { hexToBytes, isHex, type Hex } from "viem";
import { z } from "zod";
import type { CompiledModel } from "../../src/onnx/compile.ts";
import { packedTensorRoot } from "../../src/tensor/commitment.ts";
import { unpack } from "../../src/tensor/packing.ts";
import { packedByteLength } from "../../src/tensor/spec.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";

/** The served trace, as checked: the provider's roots, packed node outputs and their tensors. */
export interface ServedTrace {
  readonly nodeRoots: readonly Hex[];
  readonly packed: readonly Uint8Array[];
  readonly outputs: readonly Tensor[];
}

export type ServedCheck =
  { readonly kind: "ok"; readonly trace: ServedTrace } | { readonly kind: "invalid"; readonly reason: string };

const hex = z.string().refine((s) => isHex(s), "is not 0x-prefixed hex");
const root = hex.refine((s) => s.length === 66, "is not 32 bytes");
const BODY = z.object({
  nodeRoots: z.array(root),
  nodes: z.array(
    z.object({
      index: z.number().int(),
      root,
      spec: z.object({
        dtype: z.number().int(),
        layout: z.number().int(),
        shape: z.array(z.number().int()),
      }),
      packed: hex,
    }),
  ),
});

/** Room for JSON around the packed nodes, per node and in all, bytes. */
const SLACK_PER_NODE = 4096;
const SLACK = 64 * 1024;

/** The most bytes a served trace of `compiled` takes: every node's packed output in hex, plus room for the JSON. */
export function servedTraceCap(compiled: CompiledModel): number {
  const packed = compiled.nodes.reduce((n, node) => n + packedByteLength(node.output), 0);
  return 2 * packed + SLACK_PER_NODE * compiled.nodes.length + SLACK;
}

const specText = (s: { dtype: number; layout: number; shape: readonly number[] }) =>
  `dtype ${s.dtype} layout ${s.layout} [${s.shape.join(",")}]`;

export function checkServedTrace(body: Uint8Array, compiled: CompiledModel, outputRoot: Hex): ServedCheck {
  const invalid = (reason: string): ServedCheck => ({ kind: "invalid", reason });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch (e) {
    return invalid(`not JSON: ${(e as Error).message}`);
  }
  const parsed = BODY.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(`not a served trace: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim());
  }
  const { nodeRoots, nodes } = parsed.data;
  const count = compiled.nodes.length;
  if (nodes.length !== count || nodeRoots.length !== count)
    return invalid(`${nodes.length} nodes and ${nodeRoots.length} roots served, the model has ${count} nodes`);
  const packed: Uint8Array[] = [];
  const outputs: Tensor[] = [];
  for (const [i, node] of nodes.entries()) {
    const spec = compiled.nodes[i]!.output;
    if (node.index !== i) return invalid(`node ${i} is served with index ${node.index}`);
    if (specText(node.spec) !== specText(spec))
      return invalid(`node ${i} is served with spec ${specText(node.spec)}, the model's is ${specText(spec)}`);
    const bytes = hexToBytes(node.packed as Hex);
    if (bytes.length !== packedByteLength(spec))
      return invalid(`node ${i} is served with ${bytes.length} bytes, its spec packs into ${packedByteLength(spec)}`);
    const recomputed = packedTensorRoot(spec, bytes);
    if (recomputed !== node.root.toLowerCase() || recomputed !== nodeRoots[i]!.toLowerCase())
      return invalid(
        `node ${i}: served root ${node.root} (nodeRoots: ${nodeRoots[i]}), its bytes hash to ${recomputed}`,
      );
    packed.push(bytes);
    outputs.push(unpack(spec, bytes));
  }
  const last = nodeRoots[count - 1];
  if (last === undefined || last.toLowerCase() !== outputRoot.toLowerCase())
    return invalid(`the served trace ends in ${last}, the job committed outputRoot ${outputRoot}`);
  return { kind: "ok", trace: { nodeRoots: nodeRoots.map((r) => r.toLowerCase() as Hex), packed, outputs } };
}
