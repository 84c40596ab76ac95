/**
 * The executor child process: loads, checks and traces one model per request.
 * Everything a hostile file can do — a parser bomb, a graph that allocates
 * gigabytes, a native crash in onnxruntime — happens here, where the parent's
 * memory and time limits (pool.ts) contain it.
 */
import { readFileSync, statSync } from "node:fs";
import { bytesToHex, hexToBytes } from "viem";
import { compileModel } from "../../onnx/compile.ts";
import { isModelValidationError } from "../../onnx/errors.ts";
import { Limits } from "../../onnx/limits.ts";
import { registrationProblems, type RegisteredModel } from "../../service/registration.ts";
import { pack } from "../../tensor/packing.ts";
import { unpack } from "../../tensor/packing.ts";
import { ExecutionError, InputMismatchError } from "../../trace/errors.ts";
import { traceModel } from "../../trace/trace.ts";
import type { ChildMessage, ExecRequest, ExecResult } from "./protocol.ts";

function reply(m: ChildMessage): void {
  process.send?.(m);
}

async function execute(req: ExecRequest): Promise<ExecResult> {
  const size = statSync(req.modelPath).size;
  if (size > Limits.MAX_FILE_BYTES) return { kind: "invalid", code: "FILE_TOO_LARGE", message: `${size} bytes` };
  let compiled;
  try {
    compiled = compileModel(new Uint8Array(readFileSync(req.modelPath)));
  } catch (e) {
    if (isModelValidationError(e)) return { kind: "invalid", code: e.code, message: e.message };
    throw e;
  }
  const registered = { ...req.expected, uri: "", params: undefined } as unknown as RegisteredModel;
  const problems = registrationProblems(registered, compiled);
  if (problems.length) return { kind: "mismatch", problems };
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

process.on("message", (req: ExecRequest) => {
  execute(req)
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
