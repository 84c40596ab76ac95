/**
 * What the challenger proves from: the model compiled in this process (only
 * models whose file the watcher holds, which its executor already ran and
 * checked) and its own trace of the job, as the verifier stored it. Both are
 * needed again at every move, so recent ones are cached; an evicted entry is
 * recomputed from the file or the database, never lost.
 */
import { readFileSync } from "node:fs";
import { LRUCache } from "lru-cache";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import { unpack } from "../../src/tensor/packing.ts";
import { OutputsTrace } from "../../src/trace/fromOutputs.ts";
import type { ChallengeRow } from "../store.ts";
import type { ResponderPorts } from "./ports.ts";

export class HonestData {
  /** Compiled models, by modelId. */
  private readonly compiled = new LRUCache<string, CompiledModel>({ max: 16 });
  /** The honest trace of a challenged job, by job and commitment. */
  private readonly traces = new LRUCache<string, OutputsTrace>({ max: 64 });

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

  /** The watcher's own trace of the challenged job; undefined when none was stored. */
  trace(row: ChallengeRow, compiled: CompiledModel): OutputsTrace | undefined {
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
    const trace = new OutputsTrace(unpack(compiled.input, t.input), outputs);
    this.traces.set(k, trace);
    return trace;
  }
}
