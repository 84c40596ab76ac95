/**
 * Checking one sampled job of a float32 model (docs/PROTOCOL.md §11.3): the provider's own
 * trace is fetched from its trace server, checked against the model and the committed
 * outputRoot (served.ts), and every node of it is checked against its bound from the
 * provider's own inputs (admissible.ts). Re-executing the job would prove nothing — an
 * honest provider's low-order bits differ from the watcher's — so no executor runs here:
 * the model is compiled in this process for its node specs and read for its attributes
 * and constants, and the check is plain CPU work over the served tensors.
 */
import { readFileSync } from "node:fs";
import { LRUCache } from "lru-cache";
import type { Hex } from "viem";
import { CheckInputError } from "../../src/float/check/tensor.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { isModelValidationError } from "../../src/onnx/errors.ts";
import { registrationProblems, type RegisteredModel } from "../../src/service/registration.ts";
import { unpack } from "../../src/tensor/packing.ts";
import { packedByteLength } from "../../src/tensor/spec.ts";
import type { ExpectedModel } from "../executor/protocol.ts";
import { checkAdmissible } from "./admissible.ts";
import { fetchTrace, type TraceFetchPolicy } from "./fetch.ts";
import { checkServedTrace, servedTraceCap } from "./served.ts";
import type { TraceServers } from "./servers.ts";

export interface FloatJobOptions {
  readonly servers: TraceServers;
  readonly fetch: TraceFetchPolicy;
}

/** A float model as the check reads it: its descriptors, constants and operators (attributes are read from its file once). */
export interface FloatModel {
  readonly compiled: CompiledModel;
}

export type FloatModelLoad =
  | { readonly kind: "ok"; readonly model: FloatModel }
  | { readonly kind: "mismatch" | "invalid"; readonly reason: string };

/** The element the checker found outside its bound: what the challenge proves (ChallengerData.target). */
export interface FloatTarget {
  readonly nodeIndex: number;
  readonly outIndex: number;
}

export type FloatOutcome =
  | { readonly kind: "admissible"; readonly elements: number }
  | {
      readonly kind: "violation";
      readonly target: FloatTarget;
      readonly detail: string;
      /** The provider's trace as served and checked: kept as the job's trace for the dispute. */
      readonly trace: { readonly nodeRoots: readonly Hex[]; readonly nodes: readonly Uint8Array[] };
    }
  /** The served trace is not the one behind the commitment (or not a trace): left for a later try. */
  | { readonly kind: "invalid"; readonly reason: string }
  /** No trace server for the provider, or it did not answer. */
  | { readonly kind: "unavailable"; readonly reason: string }
  /** The checker cannot check a node of this model, or the job's input does not fit it. */
  | { readonly kind: "uncheckable"; readonly reason: string };

export class FloatJobs {
  /** Models read, by fileHash (a file is found by its hash, so the hash names its content). */
  private readonly models = new LRUCache<string, FloatModel>({ max: 16 });

  constructor(private readonly options: FloatJobOptions) {}

  /** The registered model from the file at `path`, or why the file is not it. */
  model(path: string, expected: ExpectedModel): FloatModelLoad {
    const hit = this.models.get(expected.fileHash.toLowerCase());
    if (hit !== undefined) return { kind: "ok", model: hit };
    let model: FloatModel;
    try {
      const bytes = new Uint8Array(readFileSync(path));
      model = { compiled: compileModel(bytes) };
    } catch (e) {
      if (isModelValidationError(e)) return { kind: "invalid", reason: `${path}: ${e.message}` };
      throw e;
    }
    const registered = { ...expected, uri: "", params: undefined } as unknown as RegisteredModel;
    const problems = registrationProblems(registered, model.compiled);
    if (problems.length > 0)
      return { kind: "mismatch", reason: `registration does not match ${path}: ${problems.join("; ")}` };
    this.models.set(expected.fileHash.toLowerCase(), model);
    return { kind: "ok", model };
  }

  /** Checks one job from its provider's served trace; `input` is the job's packed input, already checked against its inputRoot. */
  async check(
    job: { readonly jobId: bigint; readonly provider: Hex; readonly outputRoot: Hex },
    input: Uint8Array,
    { compiled }: FloatModel,
  ): Promise<FloatOutcome> {
    const inputBytes = packedByteLength(compiled.input);
    if (input.length !== inputBytes)
      return {
        kind: "uncheckable",
        reason: `the job input has ${input.length} bytes, the model's input packs into ${inputBytes}`,
      };
    const url = this.options.servers.traceUrl(job.provider, job.jobId);
    if (url === undefined)
      return {
        kind: "unavailable",
        reason: `no trace server for provider ${job.provider} (set --trace-server or --trace-server-default)`,
      };
    const fetched = await fetchTrace(url, servedTraceCap(compiled), this.options.fetch);
    if (fetched.kind === "unavailable") return fetched;
    if (fetched.kind === "oversized") return { kind: "invalid", reason: fetched.reason };
    const served = checkServedTrace(fetched.body, compiled, job.outputRoot);
    if (served.kind === "invalid") return { kind: "invalid", reason: `${url.href}: ${served.reason}` };
    let result;
    try {
      result = checkAdmissible(compiled, unpack(compiled.input, input), served.trace.outputs);
    } catch (e) {
      if (e instanceof CheckInputError)
        return { kind: "uncheckable", reason: `the float checker cannot check this model: ${e.message}` };
      throw e;
    }
    if (result.kind === "admissible") return result;
    const v = result.violation;
    return {
      kind: "violation",
      target: { nodeIndex: result.nodeIndex, outIndex: v.index },
      detail:
        `node ${result.nodeIndex} (${result.opType}) element ${v.index}: claimed ${v.claimed}, ` +
        `exact ≈ ${v.estimate}, bound ${v.bound} (${result.count} element(s) of the node outside the bound)`,
      trace: { nodeRoots: served.trace.nodeRoots, nodes: served.trace.packed },
    };
  }
}
