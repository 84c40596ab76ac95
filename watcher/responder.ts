/**
 * The responder: takes a mismatched job through its challenge, deriving each step
 * from on-chain state at the tick's head so that a restart (or a reorg) simply
 * carries on. commitChallenge → (one block later) revealChallenge → the moves the
 * solver asks for (selectNode / chooseChild / proveStep / timeout) → resolved.
 * Every transaction goes through the journaled sender under a key naming the
 * challenge and the step, so nothing — above all no commit and no bond — is sent
 * twice.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { LRUCache } from "lru-cache";
import { parseEventLogs, type Hex, type PublicClient } from "viem";
import { Outcome, outcomeName, Phase, phaseName, reasonName, type Reason } from "../src/chain/enums.ts";
import { disputeGameAbi } from "../src/chain/abis.ts";
import { commitChallenge, revealChallenge, settleDispute } from "../src/client/calls.ts";
import { callOf } from "../src/dispute/play.ts";
import { challengerMove } from "../src/dispute/solver.ts";
import { challengeCommitment } from "../src/dispute/ticket.ts";
import { CallRevertedError, type ContractCall } from "../src/client/send.ts";
import { compileModel, type CompiledModel } from "../src/onnx/compile.ts";
import { crashPoint } from "../src/service/crash.ts";
import type { ChainHead } from "../src/service/heads.ts";
import { errorText, type Logger } from "../src/service/logger.ts";
import type { Metrics } from "../src/service/metrics.ts";
import type { ModelFiles } from "../src/service/modelFiles.ts";
import type { ProtocolReader } from "../src/service/protocolReads.ts";
import type { TxSender } from "../src/service/txSender.ts";
import { unpack } from "../src/tensor/packing.ts";
import { OutputsTrace } from "../src/trace/fromOutputs.ts";
import type { ChallengeRow, WatcherStore } from "./store.ts";
import type { WatcherMetric } from "./metrics.ts";

export class Responder {
  // Caches of what each open challenge needs again at every move. Bounded, so that a
  // watcher running for months keeps only what recent challenges use: an evicted entry
  // is recomputed (model file, stored trace) or read again (events), never lost.
  /** Compiled models, by modelId. */
  private readonly compiled = new LRUCache<string, CompiledModel>({ max: 16 });
  /** The honest trace of a challenged job, by job and commitment. */
  private readonly traces = new LRUCache<string, OutputsTrace>({ max: 64 });
  /** The provider's posted node roots, by challenge. */
  private readonly roots = new LRUCache<string, Hex[]>({ max: 256 });
  /** Moves the chain refused in simulation, and when: retried after a pause, not every tick. */
  private readonly refused = new LRUCache<string, number>({ max: 1024 });

  constructor(
    private readonly store: WatcherStore,
    private readonly reader: ProtocolReader,
    private readonly tx: TxSender,
    private readonly files: ModelFiles,
    private readonly client: PublicClient,
    private readonly log: Logger,
    private readonly metrics: Metrics<WatcherMetric>,
  ) {}

  /** Opens the challenge of a mismatched job (once: the salt is persisted before anything is sent). */
  open(job: { jobId: bigint; commitmentHash: Hex; modelId: Hex }): ChallengeRow {
    const existing = this.store.challengeOfJob(job.jobId, job.commitmentHash);
    if (existing !== undefined) return existing;
    const salt: Hex = `0x${randomBytes(32).toString("hex")}`;
    const commitment = challengeCommitment({
      jobId: job.jobId,
      commitmentHash: job.commitmentHash,
      challenger: this.tx.address,
      salt,
    });
    return this.store.addChallenge({ ...job, salt, commitment });
  }

  /** One step for every open challenge. */
  async tick(head: ChainHead, now: bigint): Promise<void> {
    for (const row of this.store.activeChallenges()) {
      try {
        await this.step(row, head, now);
      } catch (err) {
        this.log.warn(
          { jobId: row.jobId, challenge: row.challengeId, err: errorText(err) },
          "challenge step failed; retrying",
        );
      }
    }
  }

  private async step(row: ChallengeRow, head: ChainHead, now: bigint): Promise<void> {
    const a = this.reader.addresses;
    const ctx = { jobId: row.jobId, challenge: row.challengeId };
    const job = this.store.job(row.jobId, row.commitmentHash);
    const commitKey = `challenge-commit:${row.id}`;

    if (row.state === "committing") {
      const rec = this.tx.get(commitKey);
      if (rec === undefined) {
        const onChain = await this.reader.jobOf(row.jobId, head.hash);
        if (onChain.commitmentHash !== row.commitmentHash || (now >= onChain.windowEnd && !onChain.frozen)) {
          this.store.updateChallenge(row.id, {
            state: "abandoned",
            reason: "window closed or commitment replaced before the commit",
          });
          this.log.warn(ctx, "challenge abandoned before its commit");
          return;
        }
        await this.tx.submit(commitKey, "commitChallenge", commitChallenge(a, row.commitment), {
          deadline: onChain.windowEnd,
        });
        this.metrics.inc("challenges");
        this.log.info({ ...ctx, commitment: row.commitment }, "challenge commit sent");
        crashPoint("committed", (s) => this.log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
        return;
      }
      if (rec.status === "pending") return;
      if (rec.outcome !== "success") {
        this.store.updateChallenge(row.id, { state: "abandoned", reason: `commit ${rec.outcome}` });
        this.log.error({ ...ctx, outcome: rec.outcome }, "challenge commit failed");
        return;
      }
      const id = await this.challengeIdFromReceipt(commitKey);
      if (id === undefined) return;
      this.store.updateChallenge(row.id, { challengeId: id, state: "revealing" });
      this.log.info({ ...ctx, challenge: id }, "challenge committed");
      return;
    }

    if (row.challengeId === undefined) return;
    const c = await this.reader.challengeOf(row.challengeId, head.hash);
    if (c.challenger.toLowerCase() !== this.tx.address.toLowerCase() || c.commitment !== row.commitment) {
      // A reorg re-mined our commit under another id: read it again from the (new) receipt.
      const id = await this.challengeIdFromReceipt(commitKey);
      if (id !== undefined && id !== row.challengeId) {
        this.log.warn({ ...ctx, was: row.challengeId, now: id }, "challenge id changed after a reorg");
        this.store.updateChallenge(row.id, { challengeId: id, state: "revealing" });
      } else if (this.tx.get(commitKey)?.status === "pending") {
        this.store.updateChallenge(row.id, { state: "committing" });
      }
      return;
    }

    if (row.state === "revealing") {
      if (c.phase !== Phase.Committed) {
        this.store.updateChallenge(row.id, { state: "playing" });
        this.log.info({ ...ctx, phase: phaseName(c.phase) }, "challenge revealed");
        return;
      }
      if (head.number <= c.commitBlock) return;
      const key = `challenge-reveal:${row.id}:${row.challengeId}:${row.attempt}`;
      const rec = this.tx.get(key);
      if (rec === undefined) {
        try {
          await this.tx.submit(
            key,
            "revealChallenge",
            revealChallenge(a, row.challengeId, row.jobId, row.commitmentHash, row.salt),
            {
              deadline: job?.windowEnd,
              after: commitKey,
            },
          );
        } catch (err) {
          if (!(err instanceof CallRevertedError)) throw err;
          if (
            ["StaleCommitment", "WindowClosed", "JobNotChallengeable", "TooManyChallenges"].includes(
              err.errorName ?? "",
            )
          ) {
            this.store.updateChallenge(row.id, { state: "abandoned", reason: err.errorName });
            this.log.warn({ ...ctx, err: errorText(err) }, "challenge abandoned: reveal refused");
            return;
          }
          throw err;
        }
        this.log.info(ctx, "challenge reveal sent");
        crashPoint("revealed", (s) => this.log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
      } else if (rec.status !== "pending" && rec.outcome !== "success") {
        this.store.updateChallenge(row.id, { attempt: row.attempt + 1 });
        this.log.warn({ ...ctx, outcome: rec.outcome }, "challenge reveal failed; retrying");
      }
      return;
    }

    // playing
    if (c.phase === Phase.Resolved) return this.resolved(row, c.outcome, c.reason, head);
    const compiled = await this.compiledModel(row, head);
    const honest = compiled && this.honestTrace(row, compiled);
    if (honest === undefined || compiled === undefined) {
      this.log.error(ctx, "no local trace or model for a challenge in play");
      return;
    }
    const revealed = await this.revealed(row, c.phase, c.anchorLevel, c.anchorIndex, job?.blockNumber ?? 0n);
    const move = challengerMove({ now: head.timestamp, challenge: c, ...revealed }, { compiled, honest });
    if (move === undefined) return;
    const key = `move:${row.challengeId}:${move.kind}:${c.phase}:${c.anchorLevel}:${c.anchorIndex}:${row.attempt}`;
    await this.send(row, key, move.kind, callOf(a, move), move.kind === "timeout" ? undefined : c.deadline);
    if (move.kind === "selectNode") {
      this.log.info({ ...ctx, node: move.nodeIndex }, "disputing node");
      crashPoint("disputing", (s) => this.log.warn({ stage: s }, "REFUTE_CRASH_AT: killing myself"));
    } else if (move.kind === "proveStep") {
      this.log.info({ ...ctx, node: c.nodeIndex, element: move.proof.outIndex }, "one-step proof sent");
    } else {
      this.log.info({ ...ctx, phase: phaseName(c.phase) }, `dispute move: ${move.kind}`);
    }
  }

  private async send(
    row: ChallengeRow,
    key: string,
    label: string,
    call: ContractCall,
    deadline?: bigint,
  ): Promise<void> {
    const rec = this.tx.get(key);
    if (rec === undefined) {
      if (Date.now() - (this.refused.get(key) ?? 0) < 3000) return;
      try {
        await this.tx.submit(key, label, call, { deadline });
      } catch (err) {
        if (!(err instanceof CallRevertedError)) throw err;
        this.refused.set(key, Date.now());
        this.log.warn(
          { jobId: row.jobId, challenge: row.challengeId, key, err: errorText(err) },
          "move refused by simulation",
        );
      }
    } else if (rec.status !== "pending" && rec.outcome !== "success") {
      this.store.updateChallenge(row.id, { attempt: row.attempt + 1 });
      this.log.warn(
        { jobId: row.jobId, challenge: row.challengeId, key, outcome: rec.outcome },
        "move failed on-chain; retrying",
      );
    }
  }

  private async resolved(row: ChallengeRow, outcome: Outcome, reason: Reason, head: ChainHead): Promise<void> {
    const outcomeText = outcomeName(outcome);
    const ctx = { jobId: row.jobId, challenge: row.challengeId, outcome: outcomeText, reason: reasonName(reason) };
    if (outcome === Outcome.Won) {
      const d = await this.reader.disputeOf(row.jobId, head.hash);
      if (d.fraud && !d.settled) {
        // Settlement waits for older open challenges; anyone may call it once possible.
        await this.send(
          row,
          `settle:${row.jobId}:${head.number}`,
          "settle",
          settleDispute(this.reader.addresses, row.jobId),
        );
        return;
      }
    }
    this.store.updateChallenge(row.id, { state: "resolved", outcome: outcomeText, reason: reasonName(reason) });
    if (outcome === Outcome.Won) this.metrics.inc("disputes_won");
    else if (outcome === Outcome.Lost) this.metrics.inc("disputes_lost");
    this.log[outcome === Outcome.Lost ? "error" : "info"](ctx, "challenge resolved");
  }

  private async challengeIdFromReceipt(key: string): Promise<bigint | undefined> {
    const receipt = await this.tx.receiptOf(key);
    if (receipt === undefined) return undefined;
    const logs = parseEventLogs({ abi: disputeGameAbi, logs: receipt.logs, eventName: "ChallengeCommitted" });
    const mine = logs.find((l) => l.args.challenger.toLowerCase() === this.tx.address.toLowerCase());
    return mine?.args.id;
  }

  /** What the provider revealed so far, from events: its roots, the whole reveal, the current round's children. */
  private async revealed(
    row: ChallengeRow,
    phase: number,
    level: number,
    index: number,
    fromBlock: bigint,
  ): Promise<{ roots?: readonly Hex[]; words?: readonly Hex[]; children?: readonly Hex[] }> {
    const a = this.reader.addresses;
    const key = `${row.jobId}`;
    let nodeRoots = this.roots.get(key);
    if (nodeRoots === undefined && phase >= Phase.AwaitNode) {
      const logs = await this.client.getContractEvents({
        address: a.disputeGame,
        abi: disputeGameAbi,
        eventName: "RootsPosted",
        args: { jobId: row.jobId },
        fromBlock,
      });
      if (logs.length > 0) {
        nodeRoots = [...(logs[logs.length - 1].args.nodeRoots ?? [])];
        this.roots.set(key, nodeRoots);
      }
    }
    const id = row.challengeId as bigint;
    let wholeWords: Hex[] | undefined;
    let children: Hex[] | undefined;
    if (phase === Phase.AwaitProof) {
      const logs = await this.client.getContractEvents({
        address: a.disputeGame,
        abi: disputeGameAbi,
        eventName: "WholeRevealed",
        args: { id },
        fromBlock,
      });
      if (logs.length > 0) wholeWords = [...(logs[logs.length - 1].args.words ?? [])];
    } else if (phase === Phase.AwaitChoice) {
      const logs = await this.client.getContractEvents({
        address: a.disputeGame,
        abi: disputeGameAbi,
        eventName: "ChildrenRevealed",
        args: { id },
        fromBlock,
      });
      const round = logs.filter((l) => l.args.level === level && l.args.index === index).pop();
      if (round !== undefined) children = [...(round.args.children ?? [])];
    }
    return { roots: nodeRoots, words: wholeWords, children };
  }

  private honestTrace(row: ChallengeRow, compiled: CompiledModel): OutputsTrace | undefined {
    const k = `${row.jobId}:${row.commitmentHash}`;
    const hit = this.traces.get(k);
    if (hit !== undefined) return hit;
    const t = this.store.trace(row);
    if (t === undefined) return undefined;
    const trace = new OutputsTrace(
      unpack(compiled.input, t.input),
      t.nodes.map((packed, i) => unpack(compiled.nodes[i].output, packed)),
    );
    this.traces.set(k, trace);
    return trace;
  }

  /** The model compiled in this process: only for models the executor already ran and checked. */
  private async compiledModel(row: ChallengeRow, head: ChainHead): Promise<CompiledModel | undefined> {
    const hit = this.compiled.get(row.modelId);
    if (hit !== undefined) return hit;
    const registered = await this.reader.model(row.modelId, head.hash);
    const path = this.files.find(registered.fileHash);
    if (path === undefined) return undefined;
    const c = compileModel(new Uint8Array(readFileSync(path)));
    this.compiled.set(row.modelId, c);
    return c;
  }
}
