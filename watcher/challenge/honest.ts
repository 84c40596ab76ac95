/**
 * What the challenger proves from: the model compiled in this process (only
 * models whose file the watcher holds, which its executor already ran and
 * checked) and the job's trace as the verifier stored it — its own re-execution
 * for an integer model; for a float32 model the provider's served trace, whose
 * nodeRoots are then the provider's, with the element outside its bound (the
 * target). Both are needed again at every move, so recent ones are cached; an
 * evicted entry is recomputed from the file or the database, never lost.
 */
import { readFileSync } from "node:fs";
import { LRUCache } from "lru-cache";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import { unpack } from "../../src/tensor/packing.ts";
import { OutputsTrace } from "../../src/trace/fromOutputs.ts";
import type { ChallengeRow } from "../store.ts";
import type { ResponderPorts } from "./ports.ts";

/** A stored trace ready to prove from: its commitments, and the float32 target where there is one. */
export interface StoredChallengeTrace {
  readonly trace: OutputsTrace;
  readonly target?: { readonly nodeIndex: number; readonly outIndex: number };
}

export class HonestData {
  /** Compiled models, by modelId. */
  private readonly compiled = new LRUCache<string, CompiledModel>({ max: 16 });
  /** The honest trace of a challenged job, by job and commitment. */
  private readonly traces = new LRUCache<string, StoredChallengeTrace>({ max: 64 });

  constructor(private readonly p: Pick<ResponderPorts, "chain" | "store" | "files">) {}

  /** The challenged job's model, compiled from the registered file; undefined when the file is not here. */
  async model(row: ChallengeRow, head: ChainHead): Promise<CompiledModel | undefined> {
    const hit = this.compiled.get(row.modelId);
    if (hit !== undefined) return hit;
    const fileHash = await this.p.chain.modelFileHash(row.modelId, head.hash);
    const path = this.p.files.find(fileHash);
    if (path === undefined) return undefined;
    const c = compileModel(new Uint8Array(readFileSync(path)));
    this.compiled.set(row.modelId, c);
    return c;
  }

  /** The challenged job's stored trace (and, for a float32 job, its target); undefined when none was stored. */
  trace(row: ChallengeRow, compiled: CompiledModel): StoredChallengeTrace | undefined {
    const k = `${row.jobId}:${row.commitmentHash}`;
    const hit = this.traces.get(k);
    if (hit !== undefined) return hit;
    const t = this.p.store.trace(row);
    if (t === undefined) return undefined;
    const outputs = t.nodes.map((packed, i) => {
      const node = compiled.nodes[i];
      if (node === undefined)
        throw new Error(
          `stored trace of job ${row.jobId} has ${t.nodes.length} node outputs; its model has ${compiled.nodes.length} nodes`,
        );
      return unpack(node.output, packed);
    });
    const trace = { trace: new OutputsTrace(unpack(compiled.input, t.input), outputs), target: t.target };
    this.traces.set(k, trace);
    return trace;
  }
}
