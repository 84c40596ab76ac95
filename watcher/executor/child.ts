/**
 * The executor child process: loads and checks one model per request, then traces
 * one job (a trace request) or re-executes many and returns their output roots (an
 * outputs request).
 * Everything a hostile file can do — a parser bomb, a graph that allocates
 * gigabytes, a native crash in onnxruntime — happens here, where the parent's
 * memory and time limits (pool.ts) contain it.
 */
import { readFileSync, statSync } from "node:fs";
import { bytesToHex, hexToBytes } from "viem";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { isModelValidationError } from "../../src/onnx/errors.ts";
import { Limits } from "../../src/onnx/limits.ts";
import { registrationProblems, type RegisteredModel } from "../../src/service/registration.ts";
import { packedTensorRoot } from "../../src/tensor/commitment.ts";
import { pack, unpack } from "../../src/tensor/packing.ts";
import { packedByteLength } from "../../src/tensor/spec.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { runBatch } from "../../src/trace/batch.ts";
import { ExecutionError, InputMismatchError } from "../../src/trace/errors.ts";
import { traceModel } from "../../src/trace/trace.ts";
import type { ChildMessage, ChildRequest, ExecRequest, ExecResult, OutputsRequest, OutputsResult } from "./protocol.ts";

function reply(m: ChildMessage): void {
  process.send?.(m);
}

/**
 * Compiled models by path. Compiling (parsing, validating, hashing every constant
 * tensor into the graphRoot) costs some 20 traces of the shipped model, so a worker
 * compiles a file once and reuses it while the file is unchanged: same inode, size
 * and modification time. A replaced or edited file is compiled (and checked against
 * its registration) again. Refused files are not cached: they are rare and cheap to
 * refuse again.
 */
const compiledByPath = new Map<string, { readonly stamp: string; readonly compiled: CompiledModel }>();
const MAX_CACHED_MODELS = 16;

function compileCached(path: string, stamp: string): CompiledModel {
  const hit = compiledByPath.get(path);
  if (hit !== undefined && hit.stamp === stamp) return hit.compiled;
  const compiled = compileModel(new Uint8Array(readFileSync(path)));
  compiledByPath.delete(path);
  compiledByPath.set(path, { stamp, compiled });
  if (compiledByPath.size > MAX_CACHED_MODELS) compiledByPath.delete(compiledByPath.keys().next().value as string);
  return compiled;
}

/** The registered model at `req.modelPath`, or why the file is not it. */
function loadChecked(req: ExecRequest | OutputsRequest): CompiledModel | Exclude<ExecResult, { kind: "ok" }> {
  const st = statSync(req.modelPath, { bigint: true });
  if (st.size > BigInt(Limits.MAX_FILE_BYTES))
    return { kind: "invalid", code: "FILE_TOO_LARGE", message: `${st.size} bytes` };
  let compiled: CompiledModel;
  try {
    compiled = compileCached(req.modelPath, `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`);
  } catch (e) {
    if (isModelValidationError(e)) return { kind: "invalid", code: e.code, message: e.message };
    throw e;
  }
  const registered = { ...req.expected, uri: "", params: undefined } as unknown as RegisteredModel;
  const problems = registrationProblems(registered, compiled);
  if (problems.length) return { kind: "mismatch", problems };
  return compiled;
}

async function execute(req: ExecRequest): Promise<ExecResult> {
  const compiled = loadChecked(req);
  if (!("graphRoot" in compiled)) return compiled;
  const warnings: string[] = [];
  try {
    const input = unpack(compiled.input, hexToBytes(req.input));
    const trace = await traceModel(compiled, input, {
      executionProvider: req.executionProvider,
      intraOpNumThreads: req.threads,
      onWarning: (m) => warnings.push(m),
    });
    return {
      kind: "ok",
      provider: trace.provider,
      nodeRoots: [...trace.nodeRoots],
      traceRoot: trace.traceRoot,
      outputRoot: trace.outputRoot,
      nodes: trace.nodeOutputs.map((t) => bytesToHex(pack(t))),
      warnings,
    };
  } catch (e) {
    if (e instanceof ExecutionError || e instanceof InputMismatchError)
      return { kind: "invalid", code: e.code, message: e.message };
    throw e;
  }
}

async function outputs(req: OutputsRequest): Promise<OutputsResult> {
  if (!Number.isInteger(req.count) || req.count < 1)
    return {
      kind: "invalid",
      code: "EMPTY_BATCH",
      message: `an outputs request needs at least one job, got ${req.count}`,
    };
  const compiled = loadChecked(req);
  if (!("graphRoot" in compiled)) return compiled;
  const size = packedByteLength(compiled.input);
  const bytes = req.inputs;
  if (!(bytes instanceof Uint8Array) || bytes.length !== size * req.count)
    return {
      kind: "invalid",
      code: "INPUT_MISMATCH",
      message: `${req.count} inputs of ${size} bytes need ${size * req.count} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`,
    };
  const inputs: Tensor[] = [];
  for (let k = 0; k < req.count; k++) inputs.push(unpack(compiled.input, bytes.subarray(k * size, (k + 1) * size)));
  const warnings: string[] = [];
  try {
    const run = await runBatch(compiled, inputs, {
      executionProvider: req.executionProvider,
      intraOpNumThreads: req.threads,
      onWarning: (m) => warnings.push(m),
    });
    return {
      kind: "outputs",
      provider: run.provider,
      outputRoots: run.outputs.map((t) => packedTensorRoot(t.spec, pack(t))),
      batched: run.batched,
      warnings,
    };
  } catch (e) {
    if (e instanceof ExecutionError || e instanceof InputMismatchError)
      return { kind: "invalid", code: e.code, message: e.message };
    throw e;
  }
}

process.on("message", (req: ChildRequest) => {
  (req.kind === "outputs" ? outputs(req) : execute(req))
    .then((result) => reply({ type: "result", id: req.id, result }))
    .catch((e: unknown) =>
      reply({
        type: "result",
        id: req.id,
        result: { kind: "invalid", code: "INTERNAL", message: e instanceof Error ? e.message : String(e) },
      }),
    );
});
process.on("disconnect", () => process.exit(0));
reply({ type: "ready" });
