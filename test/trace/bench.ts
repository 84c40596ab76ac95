/**
 * Cost of tracing and committing against plain inference, on CPU.
 *
 *     npx tsx test/trace/bench.ts [runs]
 *
 * For each model: session creation (the cached part), then the mean latency
 * of `infer` (published model, output only) and `traceModel` (every node
 * output fetched, copied, packed and Merkle-rooted, plus traceRoot), and the
 * hashing part of the latter on its own.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { tensorRoot } from "../../src/tensor/commitment.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { infer } from "../../src/trace/infer.ts";
import { getSession, releaseSessions } from "../../src/trace/session.ts";
import { traceModel } from "../../src/trace/trace.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { mlpInput, mlpModel, randomTensor } from "../onnx/models.ts";
import { ROOT } from "../onnx/runCli.ts";

const runs = Number(process.argv[2] ?? 200);

async function time(fn: () => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(10, n); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - t0) / n;
}

async function bench(label: string, compiled: CompiledModel, input: Tensor): Promise<void> {
  await releaseSessions();
  let t0 = performance.now();
  await getSession(compiled, "plain");
  const plainSession = performance.now() - t0;
  t0 = performance.now();
  await getSession(compiled, "trace");
  const traceSession = performance.now() - t0;
  const plain = await time(() => infer(compiled, input), runs);
  const traced = await time(() => traceModel(compiled, input), runs);
  const outputs = (await traceModel(compiled, input)).nodeOutputs;
  const hashing = await time(async () => outputs.map(tensorRoot), runs);
  const elements = outputs.reduce((a, t) => a + t.size, 0);
  console.log(
    `${label.padEnd(34)} nodes ${String(compiled.nodes.length).padStart(2)}  trace elements ${String(elements).padStart(6)}  ` +
      `session plain ${plainSession.toFixed(1)} ms / trace ${traceSession.toFixed(1)} ms  ` +
      `infer ${plain.toFixed(3)} ms  trace ${traced.toFixed(3)} ms (x${(traced / plain).toFixed(1)}, roots ${hashing.toFixed(3)} ms)`,
  );
}

await bench("MLP 36→12→5 (test/onnx/models.ts)", compileModel(mlpModel()), mlpInput());
await bench(
  "MLP 256→64→10",
  compileModel(mlpModel({ rows: 16, cols: 16, hidden: 64, classes: 10 })),
  mlpInput(1, 16, 16),
);
const shipped = join(ROOT, "models", "fmnist-mlp.onnx");
if (existsSync(shipped)) {
  const input = randomTensor(new Rng(1), DType.INT8, [1, 28, 28], 0, 127);
  await bench("models/fmnist-mlp.onnx 784→128→10", compileModel(new Uint8Array(readFileSync(shipped))), input);
}
await releaseSessions();
