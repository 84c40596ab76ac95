/**
 * Shared set-up of the dispute game tests: one anvil table per test file, the
 * shipped model registered once, traces of its evaluation images, and the
 * steps every game repeats (a job with a commitment, a challenge revealed).
 */
import { readFileSync } from "node:fs";
import type { Hex } from "viem";
import { quantizePixels } from "../../src/data/quantizeInput.ts";
import { readIdxImages, type IdxImages } from "../../src/data/idx.ts";
import {
  commitResult,
  jobOf,
  mineBlock,
  registerCompiled,
  requestInference,
  type LocalTable,
} from "../harness/localTable.ts";
import { commitTicket, revealTicket, type ChallengeTicket } from "../../src/dispute/ticket.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { honestCommitment, type Commitment } from "../../src/dispute/faults.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { traceModel, type Trace } from "../../src/trace/trace.ts";
import type { Rng } from "../../src/vectors/rng.ts";

/** REFUTE_DEEP=1 multiplies every randomized count by 5. */
export const DEPTH = process.env.REFUTE_DEEP === "1" ? 5 : 1;

export interface ShippedModel {
  readonly compiled: CompiledModel;
  readonly modelId: Hex;
  readonly images: IdxImages;
  trace(image: number): Promise<Trace>;
}

/** The shipped int8 MLP, registered on the table, with a trace cache over its evaluation images. */
export async function shippedModel(table: LocalTable): Promise<ShippedModel> {
  const compiled = compileModel(new Uint8Array(readFileSync(new URL("../../models/fmnist-mlp.onnx", import.meta.url))));
  const images = readIdxImages(new URL("../../models/fmnist-mlp.eval-images.idx", import.meta.url).pathname);
  const modelId = await registerCompiled(table, compiled);
  const traces = new Map<number, Promise<Trace>>();
  const trace = (image: number) => {
    let t = traces.get(image);
    if (!t) {
      const size = images.rows * images.cols;
      const input = new Tensor(
        compiled.input,
        quantizePixels(images.pixels.subarray(image * size, (image + 1) * size)),
      );
      t = traceModel(compiled, input);
      traces.set(image, t);
    }
    return t;
  };
  return { compiled, modelId, images, trace };
}

/** A job requested on `input` and committed by the table's provider as `commitment`. */
export async function committedJob(
  table: LocalTable,
  modelId: Hex,
  input: Tensor,
  commitment: Pick<Commitment, "outputRoot" | "outputPacked">,
): Promise<{ jobId: bigint; commitmentHash: Hex }> {
  const jobId = await requestInference(table, modelId, input);
  const commitmentHash = await commitResult(table, jobId, commitment);
  return { jobId, commitmentHash };
}

/** A random 32-byte salt. */
export function saltOf(rng: Rng): Hex {
  let s = "0x";
  for (let i = 0; i < 8; i++) s += rng.u32().toString(16).padStart(8, "0");
  return s as Hex;
}

/** Commits then reveals (one block later) a challenge of `jobId` from challenger seat `seat`. */
export async function challengeJob(
  table: LocalTable,
  seat: number,
  jobId: bigint,
  rng: Rng,
): Promise<{ id: bigint; ticket: ChallengeTicket }> {
  const client = table.challenger(seat);
  const { commitmentHash, modelId } = await jobOf(table, jobId);
  const ticket: ChallengeTicket = {
    jobId,
    modelId,
    commitmentHash,
    challenger: client.wallet.account.address,
    salt: saltOf(rng),
  };
  const { id } = await commitTicket(client, ticket);
  await mineBlock(table);
  await revealTicket(client, id, ticket);
  return { id, ticket };
}

export { honestCommitment };
