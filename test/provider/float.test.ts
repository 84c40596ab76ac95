/**
 * The provider daemon on a float32 model (the shipped CNN), as real processes on anvil.
 * A float32 job is traced when committed (provider/commitPath.ts): the trace server serves
 * the stored trace, whose roots end in the committed output and whose last node is the
 * committed output's bytes. Stopped and restarted on the same database, the provider still
 * holds that trace — the roots it would post when challenged (the answerer posts the stored
 * `nodeRoots`) — and recomputes nothing. A float32 job without a stored trace (a database
 * of an earlier version) is recomputed, and when that trace does not end in the committed
 * output nothing is stored or served and the mismatch is logged and counted. A cheating
 * provider's `float-bias` trace has exactly one inadmissible element, the forged one.
 *
 * The challenge itself is not played here: the DisputeGame refuses challenges of float32
 * models (`ProfileNotDisputable`) until float nodes are routed to their checks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hexToBytes, keccak256, stringToHex, type Hex } from "viem";
import { PROVIDER_MIGRATIONS, ProviderStore } from "../../provider/store.ts";
import { jobManagerAbi } from "../../src/chain/abis.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import { checkNode } from "../../src/float/check/node.ts";
import { floatNodeOfTrace } from "../../src/float/check/traceNode.ts";
import { traceRootOf } from "../../src/graph/descriptor.ts";
import { Profile } from "../../src/model/modelSpec.ts";
import { openDatabase } from "../../src/service/sqlite.ts";
import { packedTensorRoot, tensorRootOf } from "../../src/tensor/commitment.ts";
import { MerkleTree } from "../../src/tensor/merkle.ts";
import { unpack } from "../../src/tensor/packing.ts";
import { DType } from "../../src/tensor/dtype.ts";
import type { TensorSpec } from "../../src/tensor/spec.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import {
  Daemon,
  floatImageInput,
  jobOf,
  keyEnv,
  providerArgs,
  request,
  ROLE,
  ROOT,
  setupChain,
  TOKEN,
  untilStatus,
  type Chain,
  type LogLine,
} from "../e2e/harness.ts";

const CNN = join(ROOT, "models", "fmnist-cnn.onnx");

interface ServedTrace {
  readonly jobId: string;
  readonly outputRoot: Hex;
  readonly traceRoot: Hex;
  readonly nodeRoots: Hex[];
  readonly nodes: { index: number; root: Hex; spec: TensorSpec; packed: Hex }[];
}

const portOf = (d: Daemon, msg: string): Promise<number> =>
  d.waitFor((l) => l.msg === msg, 30_000, msg).then((l) => Number(l["port"]));

async function getTrace(d: Daemon, jobId: bigint): Promise<{ status: number; body: unknown }> {
  const port = await portOf(d, "trace server listening");
  const r = await fetch(`http://127.0.0.1:${port}/jobs/${jobId}/trace`);
  return { status: r.status, body: await r.json() };
}

async function servedTrace(d: Daemon, jobId: bigint): Promise<ServedTrace> {
  const r = await getTrace(d, jobId);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as ServedTrace;
}

/** A counter's value on the daemon's metrics endpoint (0 when never incremented). */
async function metric(d: Daemon, name: string): Promise<number> {
  const port = await portOf(d, "metrics listening");
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`refute_provider_${name} `) || l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

/** The bytes the JobCommitted event carries: the committed output. */
async function committedOutputBytes(chain: Chain, jobId: bigint): Promise<Hex> {
  const [log] = await chain.public.getContractEvents({
    address: chain.addresses.jobManager,
    abi: jobManagerAbi,
    eventName: "JobCommitted",
    args: { jobId },
    fromBlock: 0n,
  });
  assert.ok(log?.args.output !== undefined, `job ${jobId} committed`);
  return log.args.output;
}

const jobLine = (msg: string, jobId: bigint) => (l: LogLine) => l.msg === msg && String(l["jobId"]) === String(jobId);

/** The served trace's node outputs, read back from their packed bytes. */
function servedOutputs(chain: Chain, t: ServedTrace): Tensor[] {
  return t.nodes.map((n) => {
    const spec = chain.compiled.nodes[n.index]?.output;
    assert.ok(spec !== undefined);
    return unpack(spec, hexToBytes(n.packed));
  });
}

/** Per node, the elements the float checker finds inadmissible against the node's served inputs. */
function violations(chain: Chain, input: Tensor, t: ServedTrace): number[][] {
  const trace = { input, nodeOutputs: servedOutputs(chain, t) };
  return chain.compiled.nodes.map((_, i) =>
    checkNode(floatNodeOfTrace(chain.compiled, trace, i)).violations.map((v) => v.index),
  );
}

/** Checks a served trace against the chain: every root its data's, ending in the committed output. */
async function assertConsistent(chain: Chain, jobId: bigint, t: ServedTrace): Promise<void> {
  const onChain = await jobOf(chain, jobId);
  assert.equal(t.nodeRoots.length, chain.compiled.nodes.length);
  assert.equal(t.nodeRoots.at(-1), onChain.outputRoot, "the roots end in the committed output");
  assert.equal(t.outputRoot, onChain.outputRoot);
  assert.equal(t.traceRoot, traceRootOf(t.nodeRoots));
  for (const n of t.nodes) {
    assert.equal(n.spec.dtype, DType.FLOAT, `node ${n.index} is float32`);
    assert.equal(packedTensorRoot(n.spec, hexToBytes(n.packed)), n.root, `node ${n.index}: its data gives its root`);
    assert.equal(t.nodeRoots[n.index], n.root);
  }
  assert.equal(
    t.nodes.at(-1)?.packed,
    await committedOutputBytes(chain, jobId),
    "the last node is the committed output",
  );
}

describe("provider on a float32 model", { timeout: 300_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  const db = () => join(chain.dir, `provider-${ROLE.honest}.sqlite`);
  const start = async (role: number, extra: string[], name: string): Promise<Daemon> => {
    const requester = role === ROLE.honest ? ROLE.requesterA : ROLE.requesterB;
    const d = new Daemon(
      providerArgs(chain, role, ["--requester", chain.address(requester), "--metrics-port", "0", ...extra]),
      keyEnv(role),
      name,
    );
    daemons.push(d);
    await d.started();
    return d;
  };
  /** Runs `f` on the honest provider's database while no provider holds it. */
  const withStore = async <T>(f: (store: ProviderStore, raw: Awaited<ReturnType<typeof openDatabase>>) => T) => {
    const raw = await openDatabase(db(), PROVIDER_MIGRATIONS);
    try {
      return f(new ProviderStore(raw), raw);
    } finally {
      raw.close();
    }
  };

  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });

  before(async () => {
    // A window long enough for every restart below: the job stays committed throughout.
    chain = await setupChain({
      model: CNN,
      params: {
        challengeWindow: 600n,
        responseWindow: 30n,
        collateralPerJob: 100n * TOKEN,
        challengerBond: 10n * TOKEN,
      },
    });
    assert.equal(chain.compiled.profile, Profile.FLOAT32);
  });

  let jobId: bigint;
  let input: Tensor;
  let first: ServedTrace;

  it("commits the output of the trace it ran and serves that trace", async () => {
    const provider = await start(ROLE.honest, [], "provider");
    input = floatImageInput(chain.compiled, 3);
    jobId = await request(chain, ROLE.requesterA, input);
    await untilStatus(chain, jobId, JobStatus.Committed, 60_000, () => provider.tail());
    await provider.waitFor(jobLine("job committed", jobId), 30_000, "the commit followed");
    assert.equal(provider.find(jobLine("job run", jobId))?.["traced"], true, "traced at commit time");
    first = await servedTrace(provider, jobId);
    await assertConsistent(chain, jobId, first);
    assert.equal(
      provider.find((l) => l.msg === "job traced"),
      undefined,
      "served from the store, not traced again",
    );
    assert.deepEqual(
      violations(chain, input, first),
      chain.compiled.nodes.map(() => []),
      "an honest trace: every element admissible",
    );
    assert.equal(await metric(provider, "jobs_traced_at_commit"), 1);
    await provider.stop();
  });

  it("keeps the trace over a restart: the roots it would post end in the committed output", async () => {
    const onChain = await jobOf(chain, jobId);
    await withStore((store) => {
      const job = store.job(jobId);
      assert.ok(job?.nodeRoots !== undefined, "the trace is stored");
      assert.deepEqual(job.nodeRoots, first.nodeRoots);
      assert.equal(job.nodeRoots.at(-1), onChain.outputRoot);
      // What the answerer reveals from: each node's stored leaves rebuild its root.
      const leaves = store.nodes(jobId);
      assert.equal(leaves.length, chain.compiled.nodes.length);
      leaves.forEach((l, i) => {
        const spec = chain.compiled.nodes[i]!.output;
        assert.equal(tensorRootOf(spec, new MerkleTree(l).root), job.nodeRoots![i], `node ${i}`);
      });
    });
    const restarted = await start(ROLE.honest, [], "provider (restarted)");
    assert.deepEqual((await servedTrace(restarted, jobId)).nodeRoots, first.nodeRoots);
    assert.equal(
      restarted.find((l) => l.msg === "job traced"),
      undefined,
      "nothing recomputed",
    );
    await restarted.stop();
  });

  it("recomputes a float32 job stored without its trace, and serves it only if it ends in the committed output", async () => {
    const forget = (outputRoot?: Hex) =>
      withStore((_, raw) => {
        raw.prepare("DELETE FROM job_nodes WHERE job_id = ?").run(jobId.toString());
        raw.prepare("UPDATE jobs SET node_roots = NULL WHERE job_id = ?").run(jobId.toString());
        if (outputRoot !== undefined)
          raw.prepare("UPDATE jobs SET output_root = ? WHERE job_id = ?").run(outputRoot, jobId.toString());
      });

    // As an earlier version left it: the recomputed trace ends in the committed output here.
    await forget();
    const again = await start(ROLE.honest, [], "provider (no stored trace)");
    const recomputed = await servedTrace(again, jobId);
    await again.waitFor(jobLine("job traced", jobId), 10_000, "the trace recomputed");
    await assertConsistent(chain, jobId, recomputed);
    await again.stop();

    // A committed output the recomputed trace does not end in: nothing is stored or served.
    const committed = await withStore((store) => store.job(jobId)?.outputRoot);
    await forget(keccak256(stringToHex("another run's output")));
    const mismatch = await start(ROLE.honest, [], "provider (mismatch)");
    for (let i = 0; i < 2; i++) {
      const r = await getTrace(mismatch, jobId);
      assert.equal(r.status, 500);
      assert.match(
        (r.body as { error: string }).error,
        /the trace recomputed from the stored input ends in 0x[0-9a-f]{64}/,
      );
    }
    const logged = mismatch.lines.filter(
      jobLine("recomputed trace does not end in the committed output; no roots can be posted for this job", jobId),
    );
    assert.equal(logged.length, 1, "logged once");
    assert.equal(logged[0]?.level, "error");
    assert.equal(await metric(mismatch, "trace_mismatches"), 1, "counted once");
    assert.equal(mismatch.find(jobLine("job traced", jobId)), undefined);
    await mismatch.stop();
    await withStore((store) => {
      assert.equal(store.job(jobId)?.nodeRoots, undefined, "no roots stored");
      assert.equal(store.nodes(jobId).length, 0);
    });
    await forget(committed);
  });

  it("float-bias: exactly the forged element of node 0 is inadmissible, and the roots end in the committed output", async () => {
    const cheater = await start(ROLE.cheater, ["--fault", "float-bias", "--fault-seed", "5"], "cheater");
    const image = floatImageInput(chain.compiled, 8);
    const bad = await request(chain, ROLE.requesterB, image);
    await untilStatus(chain, bad, JobStatus.Committed, 60_000, () => cheater.tail());
    const run = await cheater.waitFor(jobLine("job run", bad), 10_000);
    assert.equal(run["fault"], "float-bias");
    assert.equal(run["faultNode"], 0);
    const element = Number(run["faultElement"]);
    const t = await servedTrace(cheater, bad);
    await assertConsistent(chain, bad, t);
    const found = violations(chain, image, t);
    assert.deepEqual(found[0], [element], "the forged element, and no other");
    assert.deepEqual(
      found.slice(1),
      chain.compiled.nodes.slice(1).map(() => []),
      "every later node admissible",
    );
    await cheater.stop();
  });

  it("refuses to start with a fault kind that cannot forge a float32 model", async () => {
    const d = new Daemon(
      providerArgs(chain, ROLE.cheater, ["--fault", "float-bias,flipped-element"]),
      keyEnv(ROLE.cheater),
      "refused",
    );
    daemons.push(d);
    const { code } = await d.exited;
    assert.equal(code, 2, d.tail());
    assert.match(
      d.stderr,
      /flipped-element cannot forge a float32 model: it recomputes later nodes with the exact integer evaluator/,
    );
  });
});
