/**
 * The float-noise bench (bench/float-noise.json): how far honest float executions fall
 * from the exact value against the float profile's bound B, and whether the checker
 * catches deviations beyond it.
 *
 * 1. Traces: each model under onnxruntime-node at every configuration (1 and 2 intra-op
 *    threads × every graph optimization level) on real images; every node checked
 *    against its own inputs from the same run. Per configuration and op family: elements,
 *    exceedances (elements flagged), maxErrOverBound (|ŷ − y|/B, y the float64 estimate,
 *    within 2⁻²⁸·B of exact), and the checker's throughput.
 * 2. Simulated executions (floatExecutions.ts) of dot-product elements taken from those
 *    traces, and of adversarial operand sets, each checked by the checker.
 * 3. Detection: one element of a real node output moved c·B from the exact value; the
 *    rate at which the checker flags it, per c and op family.
 */
import type { DotElementKernel } from "../float/check/dot.ts";
import { isDotKernel } from "../float/check/dot.ts";
import { ElementCheck, OP_FAMILIES, type ElementKernel, type OpFamily } from "../float/check/kernel.ts";
import { checkWithKernel, kernelFor } from "../float/check/node.ts";
import { bitsView, type NodeTensor } from "../float/check/tensor.ts";
import { fromBits, stepUlps, toBits } from "../float/f32.ts";
import { Verdict } from "../float/verdict.ts";
import type { GraphOptimizationLevel } from "../trace/sessionOptions.ts";
import { Rng } from "../vectors/rng.ts";
import { adversarialOperands, OPERAND_SETS } from "./floatAdversarial.ts";
import { EXECUTIONS, simulate, valuesOf, type Execution } from "./floatExecutions.ts";
import { floatNodeOf, openTraceSession, runFloatTrace, type FloatGraph } from "./floatTrace.ts";

export const LEVELS: readonly GraphOptimizationLevel[] = ["disabled", "basic", "extended", "all"];
export const THREADS = [1, 2] as const;
export const DEVIATIONS = [0.5, 1.1, 2, 10] as const;

export interface Tally {
  elements: number;
  exceedances: number;
  unchecked: number;
  deferred: number;
  maxErrOverBound: number;
}

const tally = (): Tally => ({ elements: 0, exceedances: 0, unchecked: 0, deferred: 0, maxErrOverBound: 0 });

export interface NoiseModel {
  readonly name: string;
  readonly graph: FloatGraph;
}

export interface NoiseOptions {
  readonly models: readonly NoiseModel[];
  /** Images as model inputs (pixel/255), one Float32Array each. */
  readonly images: readonly Float32Array[];
  /** Images whose traces feed the simulations and the detection runs. */
  readonly sampleImages: number;
  /** Dot elements per node simulated in every execution. */
  readonly simulatedPerNode: number;
  /** Adversarial elements per operand set and K. */
  readonly adversarialPerSet: number;
  readonly adversarialK: readonly number[];
  /** Injections per op family and c. */
  readonly injections: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}

interface Sample {
  readonly model: string;
  readonly node: string;
  readonly kernel: ElementKernel;
  readonly claims: Uint32Array | BigInt64Array;
}

const familyRecord = <T>(make: () => T): Record<OpFamily, T> =>
  Object.fromEntries(OP_FAMILIES.map((f) => [f, make()])) as Record<OpFamily, T>;

function merge(into: Tally, r: { elements: number; violationCount: number; unchecked: number; deferred: number; maxErrOverBound: number }): void {
  into.elements += r.elements;
  into.exceedances += r.violationCount;
  into.unchecked += r.unchecked;
  into.deferred += r.deferred;
  into.maxErrOverBound = Math.max(into.maxErrOverBound, r.maxErrOverBound);
}

export async function measureTraces(o: NoiseOptions) {
  const perConfig: Record<string, Record<OpFamily, Tally>> = {};
  const perModelOp: Record<string, Tally> = {};
  const perFamily = familyRecord(tally);
  const checkSeconds = familyRecord(() => 0);
  const samples: Sample[] = [];
  // outputs of the first configuration, to count the elements each other one computes differently
  const reference = new Map<string, Uint32Array | BigInt64Array>();
  const differing: Record<string, Record<OpFamily, number>> = {};
  let runSeconds = 0;
  for (const threads of THREADS) {
    for (const level of LEVELS) {
      const key = `threads${threads}/${level}`;
      const config = familyRecord(tally);
      perConfig[key] = config;
      const changed = familyRecord(() => 0);
      differing[key] = changed;
      for (const model of o.models) {
        const session = await openTraceSession(model.graph, { intraOpNumThreads: threads, graphOptimizationLevel: level });
        try {
          for (const [i, image] of o.images.entries()) {
            const t0 = performance.now();
            const values = await runFloatTrace(session, image);
            runSeconds += (performance.now() - t0) / 1000;
            for (const node of model.graph.nodes) {
              const floatNode = floatNodeOf(node, values);
              const t1 = performance.now();
              const kernel = kernelFor(floatNode);
              const result = checkWithKernel(kernel, floatNode.output);
              checkSeconds[kernel.family] += (performance.now() - t1) / 1000;
              const data = floatNode.output.data;
              const claims = data instanceof Float32Array ? bitsView(data) : data;
              const refKey = `${model.name}/${i}/${node.output}`;
              const ref = reference.get(refKey);
              if (ref === undefined) reference.set(refKey, claims.slice());
              else for (let j = 0; j < claims.length; j++) if (claims[j] !== ref[j]) changed[kernel.family]++;
              merge(config[kernel.family], result);
              merge(perFamily[kernel.family], result);
              perModelOp[`${model.name}/${node.opType}`] ??= tally();
              merge(perModelOp[`${model.name}/${node.opType}`]!, result);
              if (threads === 1 && level === "basic" && i < o.sampleImages) {
                samples.push({ model: model.name, node: node.name, kernel, claims });
              }
            }
          }
        } finally {
          await session.session.release();
        }
      }
      o.log?.(`traces ${key}: ${OP_FAMILIES.map((f) => `${f} ${config[f].elements}`).join(", ")}`);
    }
  }
  const throughput = familyRecord(() => 0);
  for (const f of OP_FAMILIES) throughput[f] = checkSeconds[f] > 0 ? Math.round(perFamily[f].elements / checkSeconds[f]) : 0;
  return {
    perConfig,
    perFamily,
    perModelOp,
    differing,
    checkSeconds,
    elementsPerSecond: throughput,
    runSeconds,
    samples,
  };
}

/** Checks one simulated claim of a dot element with a kernel; returns err/B or −1 when flagged. */
function checkClaim(kernel: ElementKernel, index: number, value: number, out: ElementCheck, t: Tally): void {
  kernel.check(index, toBits(value), out);
  t.elements++;
  if (out.deferred) t.deferred++;
  if (out.verdict === Verdict.VIOLATES) t.exceedances++;
  else if (out.verdict === Verdict.UNCHECKED) t.unchecked++;
  else if (out.bound > 0) t.maxErrOverBound = Math.max(t.maxErrOverBound, out.distance / out.bound);
}

/** A batched MatMul kernel over synthetic elements (A [E,1,K], B [E,K,1]) with placeholder claims. */
function syntheticKernel(elements: readonly { a: readonly number[]; b: readonly number[] }[]): ElementKernel {
  const k = elements[0]!.a.length;
  const f32 = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
  const t = (dims: number[], bits: number[]): NodeTensor => ({ dims, data: f32(bits) });
  return kernelFor({
    opType: "MatMul",
    attributes: {},
    inputs: [t([elements.length, 1, k], elements.flatMap((e) => e.a)), t([elements.length, k, 1], elements.flatMap((e) => e.b))],
    output: t([elements.length, 1, 1], new Array<number>(elements.length).fill(0)),
  });
}

export function measureSimulations(o: NoiseOptions, samples: readonly Sample[]) {
  const rng = new Rng(o.seed + 1);
  const out = new ElementCheck();
  const real: Record<string, Tally> = Object.fromEntries(EXECUTIONS.map((e) => [e, tally()]));
  // the same per node kind and K, so that a small K's large relative error does not hide the rest
  const realByNode: Record<string, Record<string, Tally>> = {};
  // the samples hold each node once per sample image
  const count = Math.ceil(o.simulatedPerNode / Math.max(1, o.sampleImages));
  for (const s of samples) {
    if (!isDotKernel(s.kernel)) continue;
    const kernel: DotElementKernel = s.kernel;
    for (let j = 0; j < count; j++) {
      const index = rng.u32() % kernel.size;
      const v = valuesOf(kernel.element(index));
      const byNode = (realByNode[`${s.model}/${kernel.opType} K=${v.a.length}`] ??= Object.fromEntries(
        EXECUTIONS.map((e) => [e, tally()]),
      ));
      for (const e of EXECUTIONS) {
        const claim = simulate(v, e, rng);
        checkClaim(kernel, index, claim, out, real[e]!);
        checkClaim(kernel, index, claim, out, byNode[e]!);
      }
    }
  }
  const adversarial: Record<string, Record<Execution, Tally>> = {};
  for (const set of OPERAND_SETS) {
    const perExecution = Object.fromEntries(EXECUTIONS.map((e) => [e, tally()])) as Record<Execution, Tally>;
    adversarial[set] = perExecution;
    for (const k of o.adversarialK) {
      const elements = Array.from({ length: o.adversarialPerSet }, () => adversarialOperands(rng, set, k));
      const kernel = syntheticKernel(elements);
      elements.forEach((el, index) => {
        const v = valuesOf(el);
        for (const e of EXECUTIONS) checkClaim(kernel, index, simulate(v, e, rng), out, perExecution[e]);
      });
    }
  }
  return { real, realByNode, adversarial };
}

/**
 * The fp32 claim at distance ≤ c·B (c < 1) or ≥ c·B (c > 1) from the estimate, measured in
 * float64 with a 10⁻⁶·c·B guard (far beyond the estimate's 2⁻²⁸·B error); undefined when no
 * fp32 value lies that close (B below half an ulp of y).
 */
export function claimAtDistance(estimate: number, bound: number, c: number, sign: 1 | -1): number | undefined {
  const target = c * bound;
  const within = c < 1;
  // aim inside the guard band: near zero, where ulps are tiny, stepping would take long
  let bits = toBits(estimate + sign * target * (within ? 1 - 2e-6 : 1 + 2e-6));
  if (!Number.isFinite(fromBits(bits))) return undefined;
  const distance = (b: number) => Math.abs(fromBits(b) - estimate);
  for (let i = 0; i < 64; i++) {
    const d = distance(bits);
    if (within ? d <= target * (1 - 1e-6) : d >= target * (1 + 1e-6)) return bits;
    const above = fromBits(bits) > estimate;
    // toward the estimate shrinks the distance, away grows it (consecutive patterns of one sign are consecutive values)
    const up = within ? !above : above;
    const x = fromBits(bits);
    const next = x === 0 ? toBits(up ? 2 ** -149 : -(2 ** -149)) : stepUlps(bits, x > 0 === up ? 1 : -1);
    if (within && fromBits(next) > estimate !== above && distance(next) > target) return undefined;
    bits = next;
  }
  return undefined;
}

export function measureDetection(o: NoiseOptions, samples: readonly Sample[]) {
  const rng = new Rng(o.seed + 2);
  const out = new ElementCheck();
  const byFamily = familyRecord(() => samples.filter(() => false));
  for (const s of samples) byFamily[s.kernel.family].push(s);
  const result: Record<string, { flaggedRate: number; flagged: number; trials: number; unrepresentable: number; perFamily: Record<string, { flagged: number; trials: number; unrepresentable: number }> }> = {};
  for (const c of DEVIATIONS) {
    const perFamily: Record<string, { flagged: number; trials: number; unrepresentable: number }> = {};
    for (const family of ["dot", "mean", "elementwise"] as const) {
      const pool = byFamily[family];
      const r = { flagged: 0, trials: 0, unrepresentable: 0 };
      perFamily[family] = r;
      if (pool.length === 0) continue;
      for (let t = 0; t < o.injections; t++) {
        const s = pool[rng.u32() % pool.length]!;
        const index = rng.u32() % s.kernel.size;
        s.kernel.check(index, s.claims[index] as number, out);
        if (out.verdict !== Verdict.ADMISSIBLE) continue; // an honest element that is not admissible is reported by the trace tally
        const claim = claimAtDistance(out.estimate, out.bound, c, rng.u32() % 2 === 0 ? 1 : -1);
        if (claim === undefined) {
          r.unrepresentable++;
          continue;
        }
        s.kernel.check(index, claim, out);
        r.trials++;
        if ((out.verdict as Verdict) === Verdict.VIOLATES) r.flagged++;
      }
    }
    const flagged = Object.values(perFamily).reduce((a, r) => a + r.flagged, 0);
    const trials = Object.values(perFamily).reduce((a, r) => a + r.trials, 0);
    const unrepresentable = Object.values(perFamily).reduce((a, r) => a + r.unrepresentable, 0);
    result[String(c)] = { flaggedRate: trials === 0 ? 0 : flagged / trials, flagged, trials, unrepresentable, perFamily };
  }
  // exact operators: B = 0, so any other value is a deviation; one ulp is the smallest
  const exactPool = byFamily.exact.filter((s) => s.claims instanceof Uint32Array);
  const exact = { flagged: 0, trials: 0 };
  for (let t = 0; t < o.injections && exactPool.length > 0; t++) {
    const s = exactPool[rng.u32() % exactPool.length]!;
    const index = rng.u32() % s.kernel.size;
    const honest = s.claims[index] as number;
    const moved = (honest & 0x7fffffff) >= 0x7f7fffff ? honest - 1 : honest + 1;
    s.kernel.check(index, moved >>> 0, out);
    if (out.verdict === Verdict.UNCHECKED) continue;
    exact.trials++;
    if (out.verdict === Verdict.VIOLATES) exact.flagged++;
  }
  return { ...result, exactOneUlp: { ...exact, flaggedRate: exact.trials === 0 ? 0 : exact.flagged / exact.trials } };
}
