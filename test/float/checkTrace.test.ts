/**
 * The float checker on real onnxruntime traces (src/bench/floatTrace.ts): an honest run of
 * a small float graph has no violating element at any optimization level, and one element
 * moved 2·B away is found at its node and index, first in graph order.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { buildProbeModel } from "../../src/bench/floatProbe.ts";
import {
  checkFloatTrace,
  floatNodeOf,
  loadFloatGraph,
  openTraceSession,
  runFloatTrace,
  type FloatTraceSession,
} from "../../src/bench/floatTrace.ts";
import { ElementCheck } from "../../src/float/check/kernel.ts";
import { kernelFor } from "../../src/float/check/node.ts";
import { Rng } from "../../src/vectors/rng.ts";

const graph = loadFloatGraph(buildProbeModel({ side: 8, channels: 3, hidden: 6, seed: 5 }));
const rng = new Rng(11);
const image = Float32Array.from({ length: 64 }, () => (rng.u32() % 256) / 255);
const sessions: FloatTraceSession[] = [];
after(async () => {
  await Promise.all(sessions.map((s) => s.session.release()));
});

test("an honest onnxruntime trace of a float graph has no violating element, at every optimization level", async () => {
  for (const level of ["disabled", "all"] as const) {
    const session = await openTraceSession(graph, { intraOpNumThreads: 1, graphOptimizationLevel: level });
    sessions.push(session);
    const checks = checkFloatTrace(graph, await runFloatTrace(session, image));
    assert.equal(checks.length, graph.nodes.length);
    for (const { node, result } of checks) {
      assert.ok(result.elements > 0, node.name);
      assert.equal(result.violationCount, 0, `${level}: ${node.name} (${node.opType})`);
      assert.equal(result.unchecked, 0, node.name);
    }
    const families = new Set(checks.map((c) => c.result.family));
    assert.deepEqual([...families].sort(), ["dot", "elementwise", "exact", "mean"]);
  }
});

test("an element moved 2·B from its exact value is the first violation, at its node and index", async () => {
  const session = sessions[0] ?? (await openTraceSession(graph, { intraOpNumThreads: 1 }));
  const values = await runFloatTrace(session, image);
  for (const target of ["Conv", "AveragePool", "Div", "Gemm"]) {
    const nodeIndex = graph.nodes.findIndex((n) => n.opType === target);
    const node = graph.nodes[nodeIndex]!;
    const honest = values.get(node.output)!;
    const data = Float32Array.from(honest.data as Float32Array);
    const index = rng.u32() % data.length;
    const out = new ElementCheck();
    kernelFor(floatNodeOf(node, values)).check(index, new Uint32Array(data.buffer)[index]!, out);
    data[index] = Math.fround(out.estimate + 2 * out.bound);
    const tampered = new Map(values).set(node.output, { dims: honest.dims, data });
    const checks = checkFloatTrace(graph, tampered);
    const first = checks.findIndex((c) => c.result.violationCount > 0);
    assert.equal(first, nodeIndex, target);
    assert.deepEqual(
      checks[first]!.result.violations.map((v) => v.index),
      [index],
      target,
    );
    const v = checks[first]!.result.violations[0]!;
    assert.ok(Math.abs(v.claimed - v.estimate) > 1.5 * v.bound, target);
  }
});
