/**
 * The provider's side of the dispute game (docs/PROTOCOL.md §9.2): each tick reads
 * the job's dispute at the tick's head, asks the pure solver (src/dispute/solver.ts,
 * `providerMoves`) what to play — post the roots, reveal the disputed node (whole,
 * or one round of children), claim a challenger's missed deadline, release the
 * job after the grace period — and sends each move once through the journaled
 * sender. Restart-safe: everything is derived from the chain and the stored trace.
 */
import type { PublicClient } from "viem";
import { readChallenge, readDispute } from "../src/chain/read/dispute.ts";
import type { ProtocolAddresses } from "../src/client/contracts.ts";
import { callOf } from "../src/dispute/play.ts";
import type { Move, NodeOutputData, ProviderData } from "../src/dispute/solver.ts";
import { providerMoves } from "../src/dispute/solver.ts";
import { CallRevertedError } from "../src/client/send.ts";
import type { CompiledModel } from "../src/onnx/compile.ts";
import type { ChainHead } from "../src/service/heads.ts";
import { errorText, type Logger } from "../src/service/logger.ts";
import type { TxSender } from "../src/service/txSender.ts";
import { tensorRootOf } from "../src/tensor/commitment.ts";
import { MerkleTree } from "../src/tensor/merkle.ts";
import { wordCount } from "../src/tensor/spec.ts";
import type { ProviderJob, ProviderStore } from "./store.ts";

const REFUSED_RETRY_MS = 5000;

export class DisputeAnswerer {
  private readonly data = new Map<bigint, ProviderData>();
  /** Moves the chain refused, and when: retried after REFUSED_RETRY_MS, not every tick. */
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly tx: TxSender,
    private readonly store: ProviderStore,
    private readonly log: Logger,
    private readonly onMove: (move: string) => void,
  ) {}

  /** Sends every move the solver asks for in this job's dispute now. */
  async answer(job: ProviderJob, compiled: CompiledModel, head: ChainHead): Promise<void> {
    const at = { address: this.addresses.disputeGame, blockHash: head.hash };
    const dispute = await readDispute(this.client, { ...at, jobId: job.jobId });
    const challenges = await Promise.all(dispute.challenges.map((id) => readChallenge(this.client, { ...at, id })));
    const moves = providerMoves(
      { now: head.timestamp, jobId: job.jobId, dispute, challenges },
      this.providerData(job, compiled),
    );
    for (const move of moves) {
      const c = "id" in move ? challenges.find((x) => x.id === move.id) : undefined;
      const key = `${move.kind}:${"id" in move ? move.id : move.jobId}:${c?.anchorLevel ?? 0}:${c?.anchorIndex ?? 0}:${c?.phase ?? 0}`;
      const deadline = move.kind === "postRoots" ? dispute.rootsDeadline : c?.deadline;
      await this.send(key, move, deadline);
    }
  }

  private async send(key: string, move: Move, deadline: bigint | undefined): Promise<void> {
    if (this.tx.get(key) !== undefined) return;
    if (Date.now() - (this.refused.get(key) ?? 0) < REFUSED_RETRY_MS) return;
    try {
      await this.tx.submit(key, move.kind, callOf(this.addresses, move), { deadline });
      this.onMove(move.kind);
      this.log.info({ key }, `dispute move: ${move.kind}`);
    } catch (err) {
      if (!(err instanceof CallRevertedError)) throw err;
      this.refused.set(key, Date.now());
      this.log.warn({ key, err: errorText(err) }, "dispute move refused by simulation");
    }
  }

  /** What the provider committed to, rebuilt from the stored tree leaves (forged ones included). */
  private providerData(job: ProviderJob, compiled: CompiledModel): ProviderData {
    const hit = this.data.get(job.jobId);
    if (hit !== undefined) return hit;
    const leaves = this.store.nodes(job.jobId);
    const cache = new Map<number, NodeOutputData>();
    const data: ProviderData = {
      nodeRoots: job.nodeRoots ?? [],
      postsRoots: job.postsRoots,
      reveals: job.reveals,
      commitment: (i) => {
        let d = cache.get(i);
        if (d === undefined) {
          const node = compiled.nodes[i];
          const stored = leaves[i];
          // The solver asks only for nodes of the model; the store holds a tree per node once traced.
          if (node === undefined)
            throw new RangeError(`node ${i} is not in the model (${compiled.nodes.length} nodes)`);
          if (stored === undefined) throw new Error(`job ${job.jobId}: no stored tree for node ${i}`);
          const spec = node.output;
          const tree = new MerkleTree(stored);
          d = { spec, tree, dataRoot: tree.root, root: tensorRootOf(spec, tree.root), wordCount: wordCount(spec) };
          cache.set(i, d);
        }
        return d;
      },
    };
    this.data.set(job.jobId, data);
    return data;
  }

  forget(jobId: bigint): void {
    this.data.delete(jobId);
  }
}
