/**
 * A served float trace checked against the model and the commitment before anything is
 * judged from it (watcher/float/served.ts): a real trace of models/fmnist-cnn.onnx passes;
 * a node whose bytes do not hash to its root, a node missing, a spec other than the
 * model's, a trace not ending in the committed outputRoot, or a body that is not a trace
 * are each refused with a reason naming what is wrong.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Hex } from "viem";
import { checkServedTrace, servedTraceCap } from "../../watcher/float/served.ts";
import { CNN, honestJob, outputRootOf, servedBody, type ServedJob } from "./floatTraces.ts";

type Body = ReturnType<typeof servedBody> & {
  nodeRoots: Hex[];
  nodes: { index: number; root: Hex; spec: { shape: number[] }; packed: Hex }[];
};

describe("served float traces", () => {
  let job: ServedJob;
  let outputRoot: Hex;
  before(async () => {
    job = await honestJob(3);
    outputRoot = outputRootOf(job);
  });
  const body = () => servedBody(job) as Body;
  const check = (b: unknown, root = outputRoot) =>
    checkServedTrace(new TextEncoder().encode(JSON.stringify(b)), CNN.compiled, root);
  const reasonOf = (b: unknown, root?: Hex) => {
    const r = check(b, root);
    assert.equal(r.kind, "invalid");
    return r.kind === "invalid" ? r.reason : "";
  };

  it("takes the honest trace, with the provider's roots and every node's tensor", () => {
    const r = check(body());
    assert.equal(r.kind, "ok");
    if (r.kind !== "ok") return;
    assert.deepEqual(r.trace.nodeRoots, body().nodeRoots);
    assert.equal(r.trace.outputs.length, CNN.compiled.nodes.length);
    assert.deepEqual(r.trace.outputs[0]!.data, job.outputs[0]!.data);
  });

  it("refuses a node whose bytes do not hash to its served root", () => {
    const b = body();
    const node = b.nodes[3]!;
    // One bit of one element flipped, the served root left as it was.
    node.packed = `${node.packed.slice(0, 10)}${node.packed[10] === "0" ? "1" : "0"}${node.packed.slice(11)}` as Hex;
    assert.match(reasonOf(b), /^node 3: served root 0x[0-9a-f]{64} .* its bytes hash to 0x/);
  });

  it("refuses a root in nodeRoots other than the node's own", () => {
    const b = body();
    b.nodeRoots[2] = b.nodeRoots[1]!;
    assert.match(reasonOf(b), /^node 2: served root/);
  });

  it("refuses a trace with a node missing", () => {
    const b = body();
    b.nodes.pop();
    b.nodeRoots.pop();
    assert.equal(reasonOf(b), `9 nodes and 9 roots served, the model has 10 nodes`);
  });

  it("refuses a node served with a spec other than the model's", () => {
    const b = body();
    b.nodes[6]!.spec.shape = [1568, 1];
    assert.match(
      reasonOf(b),
      /^node 6 is served with spec dtype 1 layout 0 \[1568,1\], the model's is dtype 1 layout 0 \[1,1568\]$/,
    );
  });

  it("refuses a trace that does not end in the committed outputRoot", () => {
    const other: Hex = `0x${"ab".repeat(32)}`;
    assert.match(reasonOf(body(), other), new RegExp(`ends in ${outputRoot}, the job committed outputRoot ${other}`));
  });

  it("refuses a body that is not a served trace", () => {
    assert.match(reasonOf({ nodes: "x" }), /^not a served trace: nodeRoots/);
    const r = checkServedTrace(new TextEncoder().encode("{"), CNN.compiled, outputRoot);
    assert.match(r.kind === "invalid" ? r.reason : "", /^not JSON/);
  });

  it("caps a served trace by the model's node sizes: the honest one fits, with room for its JSON only", () => {
    const size = JSON.stringify(body()).length;
    const cap = servedTraceCap(CNN.compiled);
    assert.ok(size < cap, `${size} < ${cap}`);
    assert.ok(cap < 1.5 * size, `${cap} < 1.5 × ${size}`);
  });
});
