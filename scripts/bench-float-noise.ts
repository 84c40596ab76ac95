/**
 * The float-noise bench (src/bench/floatNoise.ts): writes bench/float-noise.json.
 *
 *   npm run bench:float-noise -- [--quick] [--model <file.onnx>]… [--images N] [--out <file>]
 *
 * Models: the seeded probe model (every checked op family) and each --model given; without
 * --model, the shipped float models are taken from models/ (or .scratch/ while they land).
 * Images: the Fashion-MNIST test set (Debian's dataset-fashion-mnist, or $REFUTE_FMNIST_DIR),
 * else the shipped eval images (models/fmnist-mlp.eval-images.idx), as pixel/255 in fp32.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { buildProbeModel } from "../src/bench/floatProbe.ts";
import { describeMachine } from "../src/bench/machine.ts";
import {
  DEVIATIONS,
  LEVELS,
  measureDetection,
  measureSimulations,
  measureTraces,
  THREADS,
  type NoiseModel,
  type NoiseOptions,
} from "../src/bench/floatNoise.ts";
import { EXECUTIONS } from "../src/bench/floatExecutions.ts";
import {
  renderFloatNoiseSection,
  withFloatNoiseSection,
  type FloatNoiseReport,
} from "../src/bench/floatNoiseReport.ts";
import { loadFloatGraph } from "../src/bench/floatTrace.ts";
import { locateFashionMnist, readIdxImages } from "../src/data/idx.ts";
import { STRICT_FP32 } from "../src/float/policy.ts";

const root = new URL("..", import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    model: { type: "string", multiple: true },
    images: { type: "string" },
    out: { type: "string" },
  },
});
const quick = args.quick === true;
const started = performance.now();

function shippedModels(): string[] {
  const found: string[] = [];
  for (const name of ["fmnist-cnn.onnx", "fmnist-mlp-f32.onnx"]) {
    const path = [join(root, "models", name), join(root, ".scratch", name)].find(existsSync);
    if (path !== undefined) found.push(path);
  }
  return found;
}

const modelPaths = args.model ?? shippedModels();
const modelFiles = [
  { name: "probe", bytes: buildProbeModel() },
  ...modelPaths.map((path) => ({ name: basename(path, ".onnx"), bytes: new Uint8Array(readFileSync(path)) })),
];
const models: NoiseModel[] = modelFiles.map((m) => ({ name: m.name, graph: loadFloatGraph(m.bytes) }));

function loadImages(count: number): { images: Float32Array[]; source: string } {
  let path: string;
  let source: string;
  try {
    path = locateFashionMnist().testImages;
    source = `Fashion-MNIST test set (${path}), the first ${count} images`;
  } catch {
    path = join(root, "models", "fmnist-mlp.eval-images.idx");
    source = `the shipped eval images (models/fmnist-mlp.eval-images.idx), the first ${count}`;
  }
  const idx = readIdxImages(path);
  const size = idx.rows * idx.cols;
  if (count > idx.count) throw new RangeError(`${count} images asked, ${path} holds ${idx.count}`);
  const images = Array.from({ length: count }, (_, i) =>
    Float32Array.from(idx.pixels.subarray(i * size, (i + 1) * size), (p) => Math.fround(p / 255)),
  );
  return { images, source: `${source}, as pixel/255 in fp32` };
}

const imageCount = args.images === undefined ? (quick ? 2 : 60) : Number(args.images);
if (!Number.isInteger(imageCount) || imageCount < 1) throw new RangeError(`--images ${args.images}`);
const { images, source } = loadImages(imageCount);
const options: NoiseOptions = {
  models,
  images,
  sampleImages: Math.min(quick ? 1 : 4, images.length),
  simulatedPerNode: quick ? 20 : 400,
  adversarialPerSet: quick ? 3 : 40,
  adversarialK: quick ? [64, 784] : [64, 784, 4096],
  injections: quick ? 200 : 5000,
  seed: 2026,
  log: (line) => console.log(line),
};

const t0 = performance.now();
const traces = await measureTraces(options);
const t1 = performance.now();
const simulations = measureSimulations(options, traces.samples);
const t2 = performance.now();
const detection = measureDetection(options, traces.samples);
const t3 = performance.now();
const seconds = (a: number, b: number) => Math.round(b - a) / 1000;

const report = {
  generated: `npm run bench:float-noise${quick ? " -- --quick" : ""}`,
  description:
    "Honest float32 executions against the float profile's bound B (docs/PROTOCOL.md §11): every node of every trace checked by src/float/check against its own inputs; simulated executions of dot-product elements; c·B injections. maxErrOverBound is |ŷ − y|/B with y the checker's float64 estimate (within 2⁻²⁸·B of the exact value); an exceedance is an element the checker flags (the contract's rule decides every borderline one).",
  machine: describeMachine(),
  onnxruntimeNode: describeMachine().onnxruntimeNode,
  policy: STRICT_FP32,
  inputs: { images: images.length, source },
  models: models.map((m) => ({
    name: m.name,
    source:
      m.name === "probe"
        ? "src/bench/floatProbe.ts (seeded weights; covers every checked op family)"
        : relative(root, modelPaths.find((p) => basename(p, ".onnx") === m.name) ?? ""),
    sha256: createHash("sha256")
      .update(modelFiles.find((f) => f.name === m.name)!.bytes)
      .digest("hex"),
    nodes: m.graph.nodes.length,
    ops: [...new Set(m.graph.nodes.map((n) => n.opType))],
  })),
  configurations: THREADS.flatMap((t) => LEVELS.map((l) => ({ intraOpNumThreads: t, graphOptimizationLevel: l }))),
  traces: {
    perFamily: traces.perFamily,
    perConfiguration: traces.perConfig,
    elementsDifferingFromFirstConfiguration: traces.differing,
    perModelOp: traces.perModelOp,
    checker: {
      elementsPerSecond: traces.elementsPerSecond,
      seconds: Object.fromEntries(
        Object.entries(traces.checkSeconds).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
      ),
      note: "one thread, the whole check of every node (kernel set-up included), on this machine",
    },
    onnxruntimeSeconds: Math.round(traces.runSeconds * 1000) / 1000,
  },
  simulations: {
    executions: EXECUTIONS,
    note: "fp32 rounded exactly from float64 (src/bench/fp32Rounding.ts: round-to-odd before rounding to nearest, TwoSum-corrected truncation toward zero); rtzBlocked16 truncates products and additions inside blocks of 16 and rounds to nearest across blocks",
    realOperands: simulations.real,
    realOperandsByNode: simulations.realByNode,
    adversarial: { k: options.adversarialK, perSet: options.adversarialPerSet, results: simulations.adversarial },
  },
  detection: {
    note: "one element of a real node output moved c·B from the float64 estimate (guarded by 10⁻⁶·c·B, far above its 2⁻²⁸·B error), on the sampled traces; unrepresentable: no fp32 value that close (B under half an ulp of y); exactOneUlp: an exact operator's element moved by one ulp",
    deviations: DEVIATIONS,
    ...detection,
  },
  elapsedSeconds: {
    traces: seconds(t0, t1),
    simulations: seconds(t1, t2),
    detection: seconds(t2, t3),
    total: seconds(started, performance.now()),
  },
};
// a quick run is a smoke test: its figures stay out of bench/ unless --out says otherwise
const out = args.out ?? (quick ? join(tmpdir(), "float-noise.quick.json") : join(root, "bench", "float-noise.json"));
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${out}`);
if (args.out === undefined && !quick) {
  const results = join(root, "bench", "RESULTS.md");
  const section = renderFloatNoiseSection(report as unknown as FloatNoiseReport);
  writeFileSync(results, withFloatNoiseSection(readFileSync(results, "utf8"), section));
  console.log(`updated the float-noise section of ${results}`);
}
console.log(
  JSON.stringify(
    {
      perFamily: report.traces.perFamily,
      checker: report.traces.checker.elementsPerSecond,
      detection: Object.fromEntries(
        DEVIATIONS.map((c) => [c, (detection as Record<string, { flaggedRate: number }>)[String(c)]?.flaggedRate]),
      ),
    },
    null,
    2,
  ),
);
