/**
 * The requester workload: real Fashion-MNIST test images from the shipped evaluation
 * set, quantized as the model expects (src/data/quantizeInput.ts), requested as jobs.
 * Which provider serves a job is decided by which requester account sends it.
 */
import { parseEventLogs, type Hash } from "viem";
import { jobManagerAbi } from "../chain/abis.ts";
import { requestJob } from "../client/calls.ts";
import type { RefuteClient } from "../client/contracts.ts";
import { readIdxImages, readIdxLabels } from "../data/idx.ts";
import { quantizePixels } from "../data/quantizeInput.ts";
import type { CompiledModel } from "../onnx/compile.ts";
import { at } from "../tensor/at.ts";
import { pack } from "../tensor/packing.ts";
import { Tensor } from "../tensor/tensor.ts";
import { Rng } from "../vectors/rng.ts";
import { IMAGES_FILE, LABELS_FILE, TOKEN } from "./chain.ts";

export interface PlannedJob {
  /** Position in the workload. */
  readonly order: number;
  /** Index in the evaluation set. */
  readonly image: number;
  readonly label: number;
  readonly route: "honest" | "cheater";
}

export interface SentJob extends PlannedJob {
  readonly jobId: bigint;
}

/**
 * `jobs` distinct images drawn from the evaluation set, and exactly
 * round(jobs · cheatRate) of them routed to the cheating provider, all from `seed`.
 */
export function planWorkload(jobs: number, cheatRate: number, seed: number): PlannedJob[] {
  const labels = readIdxLabels(LABELS_FILE);
  const rng = new Rng(seed);
  const pool = Array.from({ length: labels.length }, (_, i) => i);
  shuffle(pool, rng);
  const images = Array.from({ length: jobs }, (_, i) => at(pool, i % pool.length));
  const cheated = new Set(
    shuffle(
      Array.from({ length: jobs }, (_, i) => i),
      rng,
    ).slice(0, Math.round(jobs * cheatRate)),
  );
  return images.map((image, order) => ({
    order,
    image,
    label: at(labels, image),
    route: cheated.has(order) ? "cheater" : "honest",
  }));
}

function shuffle<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = at(a, i);
    a[i] = at(a, j);
    a[j] = t;
  }
  return a;
}

/** The quantized input of evaluation image `image`. */
export function imageTensor(compiled: CompiledModel, image: number): Tensor {
  const images = readIdxImages(IMAGES_FILE);
  const size = images.rows * images.cols;
  return new Tensor({ ...compiled.input }, quantizePixels(images.pixels.subarray(image * size, (image + 1) * size)));
}

/**
 * Sends the jobs, `paceMs` apart (a stream rather than one block of requests), without
 * waiting for each receipt; then collects every job id.
 */
export async function sendWorkload(p: {
  readonly plan: readonly PlannedJob[];
  readonly compiled: CompiledModel;
  readonly modelId: `0x${string}`;
  readonly honestRequester: RefuteClient;
  readonly cheatedRequester: RefuteClient;
  readonly commitWindowSec: bigint;
  readonly paceMs: number;
  readonly onSent?: (n: number) => void;
}): Promise<SentJob[]> {
  const nonces = new Map<RefuteClient, number>();
  for (const c of [p.honestRequester, p.cheatedRequester]) {
    nonces.set(c, await c.public.getTransactionCount({ address: c.wallet.account.address, blockTag: "pending" }));
  }
  const sent: { job: PlannedJob; hash: Hash; client: RefuteClient }[] = [];
  for (const job of p.plan) {
    const client = job.route === "honest" ? p.honestRequester : p.cheatedRequester;
    const now = (await client.public.getBlock()).timestamp;
    const call = requestJob(client.addresses, {
      modelId: p.modelId,
      input: pack(imageTensor(p.compiled, job.image)),
      fee: TOKEN,
      commitDeadline: now + p.commitWindowSec,
    });
    const nonce = nonces.get(client) ?? 0;
    nonces.set(client, nonce + 1);
    const hash = await client.wallet.writeContract({
      ...call,
      chain: client.wallet.chain,
      account: client.wallet.account,
      nonce,
      gas: 1_000_000n,
    });
    sent.push({ job, hash, client });
    p.onSent?.(sent.length);
    await new Promise((r) => setTimeout(r, p.paceMs));
  }
  const out: SentJob[] = [];
  for (const s of sent) {
    const receipt = await s.client.public.waitForTransactionReceipt({ hash: s.hash });
    if (receipt.status !== "success") throw new Error(`request of image ${s.job.image} reverted (tx ${s.hash})`);
    const [log] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
    if (log === undefined) throw new Error(`request of image ${s.job.image} emitted no JobRequested (tx ${s.hash})`);
    out.push({ ...s.job, jobId: log.args.jobId });
  }
  return out;
}
