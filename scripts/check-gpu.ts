/**
 * `npm run check:gpu`: traces the shipped model over its evaluation images on
 * the CPU and on onnxruntime's CUDA execution provider, compares the traceRoots
 * bit for bit and reports the speed of each, in bench/gpu.json.
 *
 *     npm run check:gpu [-- --images <n>] [-- --passes <n>] [-- --out <file>]
 *
 * Exit codes: 0 every traceRoot equal on both; 1 some differ (the first
 * divergent node and element are printed); 2 CUDA could not be used here
 * (the reason is printed and written; the CPU figures are still measured).
 *
 * The CUDA provider is not inside the onnxruntime-node package: on a GPU host
 * with internet, install it with onnxruntime's own script,
 *     node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12
 * (CUDA 12 and cuDNN 9 libraries must be on the loader path).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadWorkload, REPO } from "../src/bench/inputs.ts";
import { describeMachine } from "../src/bench/machine.ts";
import { compareProviders, type ProviderComparison } from "../src/bench/providers.ts";
import { releaseSessions } from "../src/trace/session.ts";
import { cudaUnavailableReason, type ExecutionConfig } from "../src/trace/sessionOptions.ts";
import { execFileSync } from "node:child_process";

const HELP = `npm run check:gpu -- [options]

  --images <n>   evaluation images to trace (default: all in models/fmnist-mlp.eval-images.idx)
  --passes <n>   timed passes over the images per provider; speeds are medians (default 5)
  --out <file>   where the result goes (default bench/gpu.json)
  -h, --help     this text

Exit 0: traceRoots bit-identical on CPU and CUDA; 1: they differ; 2: CUDA unavailable.`;

const { values: a } = parseArgs({
  options: {
    images: { type: "string" },
    passes: { type: "string", default: "5" },
    out: { type: "string", default: join(REPO, "bench", "gpu.json") },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (a.help) {
  console.log(HELP);
  process.exit(0);
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`check:gpu: --${name} must be a positive integer, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

/** What nvidia-smi says about the GPU, or null when there is none to ask. */
function gpuName(): string | null {
  try {
    return execFileSync("nvidia-smi", ["--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"], {
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

const passes = positive("passes", a.passes);
const workload = loadWorkload(a.images === undefined ? undefined : positive("images", a.images));
const count = workload.inputs.length;
const out = resolve(a.out);
const warnings: string[] = [];
const cpu: ExecutionConfig = { executionProvider: "cpu" };
const cuda: ExecutionConfig = { executionProvider: "cuda" };

const unavailable = cudaUnavailableReason();
const base = { machine: describeMachine(), gpu: gpuName(), model: "models/fmnist-mlp.onnx" };

function write(result: object): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...base, ...result }, null, 2)}\n`);
  console.log(`check:gpu: wrote ${out}`);
}

let comparison: ProviderComparison;
if (unavailable !== undefined) {
  // Still measure the CPU side (against itself with two threads), so the file says what this host does.
  comparison = await compareProviders(
    workload.compiled,
    workload.inputs,
    cpu,
    { ...cpu, intraOpNumThreads: 2 },
    passes,
  );
  await releaseSessions();
  console.log(`check:gpu: CUDA unavailable: ${unavailable}`);
  console.log(
    `check:gpu: CPU traces ${comparison.reference.tracesPerSec}/s, inferences ${comparison.reference.inferencesPerSec}/s ` +
      `over ${count} images (1 vs 2 threads: ${comparison.mismatchedImages} traceRoots differ)`,
  );
  write({ cuda: { available: false, reason: unavailable }, cpuOnly: comparison });
  process.exit(comparison.mismatchedImages === 0 ? 2 : 1);
}

comparison = await compareProviders(workload.compiled, workload.inputs, cpu, cuda, passes, (m) => warnings.push(m));
await releaseSessions();
if (comparison.candidate.provider !== "cuda") {
  const reason = warnings.join("; ") || "onnxruntime fell back to the CPU";
  console.log(`check:gpu: CUDA unavailable: ${reason}`);
  write({ cuda: { available: false, reason }, cpuOnly: comparison });
  process.exit(2);
}

const rows: [string, string, string][] = [
  ["provider", "traces/s", "inferences/s"],
  ["cpu", String(comparison.reference.tracesPerSec), String(comparison.reference.inferencesPerSec)],
  ["cuda", String(comparison.candidate.tracesPerSec), String(comparison.candidate.inferencesPerSec)],
];
for (const [name, traces, inferences] of rows)
  console.log(`  ${name.padEnd(9)} ${traces.padStart(10)} ${inferences.padStart(13)}`);
console.log(
  `check:gpu: ${count} images × ${passes} passes: ${count - comparison.mismatchedImages}/${count} traceRoots ` +
    `bit-identical; CUDA/CPU trace speed ${comparison.traceSpeedup}`,
);
for (const d of comparison.divergences)
  console.log(
    `check:gpu: image ${d.image} first differs at node ${d.node} (${d.nodeName}) element ${d.element}: ` +
      `cpu ${d.reference}, cuda ${d.candidate}`,
  );
write({ cuda: { available: true }, comparison });
process.exit(comparison.mismatchedImages === 0 ? 0 : 1);
