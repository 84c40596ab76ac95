/**
 * The watcher's responder driven step by step over in-memory fakes of its ports
 * (chain, store, journaled sender, model files) and a ManualClock: what it sends,
 * under which journal keys, and what it records, from the commit to the
 * settlement, across refusals, failed transactions, reorgs and restarts.
 * The dispute moves are computed by the real solver from the shipped model and a
 * real trace of one of its evaluation images.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import { encodeAbiParameters, encodeEventTopics, keccak256, type Address, type Hex, type Log } from "viem";
import { loadWorkload, MODEL_FILE } from "../../src/bench/inputs.ts";
import { disputeGameAbi } from "../../src/chain/abis.ts";
import { Outcome, Phase, Reason, type ProtocolErrorName } from "../../src/chain/enums.ts";
import type { ProtocolAddresses } from "../../src/client/contracts.ts";
import { CallRevertedError, type ContractCall } from "../../src/client/send.ts";
import { challengeCommitment } from "../../src/dispute/ticket.ts";
import { traceRootOf } from "../../src/graph/descriptor.ts";
import { childrenOf } from "../../src/proof/dispute.ts";
import { ManualClock } from "../../src/service/clock.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import type { SubmitOptions, TxOutcome, TxStatus } from "../../src/service/txSender.ts";
import { pack } from "../../src/tensor/packing.ts";
import { traceModel, type Trace } from "../../src/trace/trace.ts";
import type {
  ChainChallenge,
  ChainDispute,
  ChainJob,
  ChallengeChain,
  ChallengeLog,
  ChallengeMetric,
  ChallengeMetrics,
  ChallengeSender,
  ChallengeStore,
  ChallengeUpdate,
  JournaledTx,
  ResponderPorts,
  StoredTrace,
} from "../../watcher/challenge/ports.ts";
import { Responder } from "../../watcher/challenge/responder.ts";
import type { ChallengeRow, WatchedJob } from "../../watcher/store.ts";

// ------------------------------------------------------------------ fakes

const addr = (n: number): Address => `0x${n.toString(16).padStart(40, "0")}`;
const word = (n: number): Hex => `0x${n.toString(16).padStart(64, "0")}`;

const ADDRESSES: ProtocolAddresses = {
  token: addr(1),
  stakeManager: addr(2),
  modelRegistry: addr(3),
  jobManager: addr(4),
  disputeGame: addr(5),
  oneStepVerifier: addr(6),
};
const WATCHER = addr(0xaaaa);
const SOMEONE_ELSE = addr(0xbbbb);
const MODEL_HASH = keccak256(readFileSync(MODEL_FILE));

const JOB = { jobId: 5n, commitmentHash: word(0xc0ffee), modelId: word(0x30de1) };
const WINDOW_END = 2000n;
const JOB_BLOCK = 50n;
const CHALLENGE_ID = 7n;
const COMMIT_BLOCK = 100n;
const REVEAL_WINDOW = 64n;

const headAt = (number: bigint, timestamp = 1000n): ChainHead => ({
  number,
  hash: word(Number(number) + 0x100000),
  parentHash: word(Number(number) + 0xfffff),
  timestamp,
});

class FakeChain implements ChallengeChain {
  readonly addresses = ADDRESSES;
  readonly jobs = new Map<bigint, ChainJob>();
  readonly challenges = new Map<bigint, ChainChallenge>();
  readonly disputes = new Map<bigint, ChainDispute>();
  roots?: readonly Hex[];
  whole?: readonly Hex[];
  children: { level: number; index: number; children: readonly Hex[] }[] = [];
  /** Every event query, with its arguments. */
  readonly queries: string[] = [];
  disputeReads = 0;

  async job(jobId: bigint): Promise<ChainJob> {
    return this.get(this.jobs, jobId, "job");
  }
  async challenge(id: bigint): Promise<ChainChallenge> {
    return this.get(this.challenges, id, "challenge");
  }
  async dispute(jobId: bigint): Promise<ChainDispute> {
    this.disputeReads++;
    return this.get(this.disputes, jobId, "dispute");
  }
  async revealWindow(): Promise<bigint> {
    return REVEAL_WINDOW;
  }
  async modelFileHash(modelId: Hex): Promise<Hex> {
    assert.equal(modelId, JOB.modelId);
    return MODEL_HASH;
  }
  async postedRoots(jobId: bigint, fromBlock: bigint): Promise<readonly Hex[] | undefined> {
    this.queries.push(`postedRoots(${jobId}, ${fromBlock})`);
    return this.roots;
  }
  async wholeReveal(id: bigint, fromBlock: bigint): Promise<readonly Hex[] | undefined> {
    this.queries.push(`wholeReveal(${id}, ${fromBlock})`);
    return this.whole;
  }
  async revealedChildren(
    id: bigint,
    level: number,
    index: number,
    fromBlock: bigint,
  ): Promise<readonly Hex[] | undefined> {
    this.queries.push(`revealedChildren(${id}, ${level}, ${index}, ${fromBlock})`);
    return this.children.filter((c) => c.level === level && c.index === index).at(-1)?.children;
  }

  private get<K, V>(m: Map<K, V>, k: K, what: string): V {
    const v = m.get(k);
    if (v === undefined) throw new Error(`no ${what} ${String(k)} on the fake chain`);
    return v;
  }
}

/** WatcherStore's challenge rows in memory: one row per job, updates that leave unset fields alone. */
class FakeStore implements ChallengeStore {
  readonly rows = new Map<number, ChallengeRow>();
  readonly reasons = new Map<number, string>();
  readonly jobs = new Map<string, Pick<WatchedJob, "windowEnd" | "blockNumber">>();
  readonly traces = new Map<string, StoredTrace>();

  challengeOfJob(jobId: bigint, commitmentHash: Hex): ChallengeRow | undefined {
    return [...this.rows.values()].find((r) => r.jobId === jobId && r.commitmentHash === commitmentHash);
  }
  addChallenge(c: { jobId: bigint; commitmentHash: Hex; modelId: Hex; salt: Hex; commitment: Hex }): ChallengeRow {
    const existing = this.challengeOfJob(c.jobId, c.commitmentHash);
    if (existing !== undefined) return existing;
    const row: ChallengeRow = { ...c, id: this.rows.size + 1, state: "committing", attempt: 0 };
    this.rows.set(row.id, row);
    return row;
  }
  activeChallenges(): ChallengeRow[] {
    return [...this.rows.values()].filter((r) => r.state !== "resolved" && r.state !== "abandoned");
  }
  updateChallenge(id: number, f: ChallengeUpdate): void {
    const r = this.row(id);
    this.rows.set(id, {
      ...r,
      challengeId: f.challengeId ?? r.challengeId,
      state: f.state ?? r.state,
      outcome: f.outcome ?? r.outcome,
      attempt: f.attempt ?? r.attempt,
    });
    if (f.reason !== undefined) this.reasons.set(id, f.reason);
  }
  job(jobId: bigint, commitmentHash: Hex): Pick<WatchedJob, "windowEnd" | "blockNumber"> | undefined {
    return this.jobs.get(`${jobId}:${commitmentHash}`);
  }
  trace(j: { jobId: bigint; commitmentHash: Hex }): StoredTrace | undefined {
    return this.traces.get(`${j.jobId}:${j.commitmentHash}`);
  }

  row(id: number): ChallengeRow {
    const r = this.rows.get(id);
    if (r === undefined) throw new Error(`no challenge row ${id}`);
    return r;
  }
}

interface Submission {
  readonly key: string;
  readonly label: string;
  readonly call: ContractCall;
  readonly options: SubmitOptions;
}

interface FakeTx {
  readonly sent: Submission;
  status: TxStatus;
  outcome?: TxOutcome;
  logs?: readonly Log[];
}

/** The journal: a key is sent once; a refusal (by function name) throws as a failed simulation does. */
class FakeSender implements ChallengeSender {
  readonly address = WATCHER;
  readonly journal = new Map<string, FakeTx>();
  /** Every call to submit, refused or not. */
  readonly attempts: Submission[] = [];
  /** functionName → the custom error its simulation reverts with (undefined: an undecoded revert). */
  readonly refuse = new Map<string, ProtocolErrorName | undefined>();

  get(key: string): JournaledTx | undefined {
    const t = this.journal.get(key);
    return t && { status: t.status, outcome: t.outcome };
  }
  async submit(key: string, label: string, call: ContractCall, options: SubmitOptions = {}): Promise<unknown> {
    const s = { key, label, call, options };
    this.attempts.push(s);
    const known = this.journal.get(key);
    if (known !== undefined) return known;
    if (this.refuse.has(call.functionName))
      throw new CallRevertedError(call, this.refuse.get(call.functionName), [], {
        cause: new Error("execution reverted"),
      });
    const t: FakeTx = { sent: s, status: "pending" };
    this.journal.set(key, t);
    return t;
  }
  async receiptOf(key: string): Promise<{ readonly logs: readonly Log[] } | undefined> {
    const t = this.journal.get(key);
    return t?.logs && { logs: t.logs };
  }

  /** The transaction of `key` mined with `outcome` (its receipt holding `logs`). */
  mine(key: string, outcome: TxOutcome = "success", logs: readonly Log[] = []): void {
    const t = this.journal.get(key);
    if (t === undefined) throw new Error(`nothing journaled under ${key}`);
    Object.assign(t, { status: "mined", outcome, logs });
  }
  /** Journaled transactions with this label, in the order sent. */
  sentAs(label: string): Submission[] {
    return [...this.journal.values()].map((t) => t.sent).filter((s) => s.label === label);
  }
  attemptsOf(functionName: string): number {
    return this.attempts.filter((s) => s.call.functionName === functionName).length;
  }
}

interface LogLine {
  readonly level: "info" | "warn" | "error";
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}

class FakeLog implements ChallengeLog {
  readonly lines: LogLine[] = [];
  info(fields: object, msg: string): void {
    this.lines.push({ level: "info", fields: fields as Record<string, unknown>, msg });
  }
  warn(fields: object, msg: string): void {
    this.lines.push({ level: "warn", fields: fields as Record<string, unknown>, msg });
  }
  error(fields: object, msg: string): void {
    this.lines.push({ level: "error", fields: fields as Record<string, unknown>, msg });
  }
  /** The lines with this message. */
  with(msg: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg);
  }
}

class FakeMetrics implements ChallengeMetrics {
  readonly counts = new Map<ChallengeMetric, number>();
  inc(name: ChallengeMetric): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  of(name: ChallengeMetric): number {
    return this.counts.get(name) ?? 0;
  }
}

/** ChallengeCommitted(id, challenger, commitment) as it appears in a receipt. */
function challengeCommittedLog(id: bigint, challenger: Address, commitment: Hex): Log {
  const topics = encodeEventTopics({
    abi: disputeGameAbi,
    eventName: "ChallengeCommitted",
    args: { id, challenger, modelId: JOB.modelId },
  });
  return {
    address: ADDRESSES.disputeGame,
    topics: topics as [Hex, ...Hex[]],
    // The bond is pulled at commit (docs/PROTOCOL.md §9.1).
    data: encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [commitment, 10n]),
    blockHash: word(1),
    blockNumber: COMMIT_BLOCK,
    logIndex: 0,
    transactionHash: word(2),
    transactionIndex: 0,
    removed: false,
  };
}

// ------------------------------------------------------------------ the world

interface World extends ResponderPorts {
  readonly chain: FakeChain;
  readonly store: FakeStore;
  readonly tx: FakeSender;
  readonly clock: ManualClock;
  readonly log: FakeLog;
  readonly metrics: FakeMetrics;
  responder: Responder;
  /** A new process on the same database and journal: caches and refusal pauses start empty. */
  restart(): void;
  tick(head?: ChainHead, now?: bigint): Promise<void>;
  row(): ChallengeRow;
}

function world(opts: { modelFile?: boolean } = {}): World {
  const chain = new FakeChain();
  const store = new FakeStore();
  const tx = new FakeSender();
  const ports = {
    chain,
    store,
    tx,
    files: { find: (h: Hex) => (opts.modelFile !== false && h === MODEL_HASH ? MODEL_FILE : undefined) },
    clock: new ManualClock(),
    log: new FakeLog(),
    metrics: new FakeMetrics(),
  };
  chain.jobs.set(JOB.jobId, { commitmentHash: JOB.commitmentHash, windowEnd: WINDOW_END, frozen: false });
  store.jobs.set(`${JOB.jobId}:${JOB.commitmentHash}`, { windowEnd: WINDOW_END, blockNumber: JOB_BLOCK });
  const w: World = {
    ...ports,
    responder: new Responder(ports),
    restart() {
      w.responder = new Responder(ports);
    },
    tick: (head = headAt(COMMIT_BLOCK - 10n), now = 1000n) => w.responder.tick(head, now),
    row: () => store.row(1),
  };
  return w;
}

/** The challenge at CHALLENGE_ID as the chain reads it: ours, in `phase`. */
function challengeOf(w: World, over: Partial<ChainChallenge> = {}): ChainChallenge {
  return {
    id: CHALLENGE_ID,
    challenger: WATCHER,
    commitBlock: COMMIT_BLOCK,
    phase: Phase.Committed,
    outcome: Outcome.None,
    reason: Reason.None,
    jobId: JOB.jobId,
    bond: 10n,
    revealedAt: 0n,
    deadline: 10_000n,
    nodeIndex: 0,
    wordCount: 0,
    byteLength: 0,
    anchorLevel: 0,
    anchorIndex: 0,
    nodeRoot: word(0),
    anchorHash: word(0),
    commitment: w.row().commitment,
    ...over,
  };
}

function setChallenge(w: World, over: Partial<ChainChallenge> = {}): void {
  w.chain.challenges.set(CHALLENGE_ID, challengeOf(w, over));
}

/** Opens the job's challenge, sends its commit and mines it: the row is revealing at CHALLENGE_ID. */
async function committed(w: World): Promise<void> {
  const row = w.responder.open(JOB);
  await w.tick();
  w.tx.mine("challenge-commit:1", "success", [challengeCommittedLog(CHALLENGE_ID, WATCHER, row.commitment)]);
  await w.tick();
  assert.equal(w.row().state, "revealing");
}

/** Then reveals it one block after the commit: the row is playing, the chain in `phase`. */
async function playing(w: World, over: Partial<ChainChallenge>): Promise<void> {
  await committed(w);
  setChallenge(w);
  await w.tick(headAt(COMMIT_BLOCK + 1n));
  w.tx.mine(`challenge-reveal:1:${CHALLENGE_ID}:0`);
  setChallenge(w, over);
  await w.tick(headAt(COMMIT_BLOCK + 2n));
  assert.equal(w.row().state, "playing");
}

// ------------------------------------------------------------------ tests

describe("watcher responder", { timeout: 120_000 }, () => {
  describe("commit", () => {
    test("a mismatched job gets one challenge row and exactly one commit, also across restarts", async () => {
      const w = world();
      const row = w.responder.open(JOB);
      assert.equal(w.responder.open(JOB).salt, row.salt, "opening again returns the same row");
      assert.equal(w.store.rows.size, 1);
      assert.equal(
        row.commitment,
        challengeCommitment({ ...JOB, challenger: WATCHER, salt: row.salt }),
        "the commitment binds job, commitment, challenger and the stored salt",
      );

      await w.tick();
      await w.tick();
      w.restart();
      await w.tick();

      assert.equal(w.tx.attempts.length, 1);
      const [commit] = w.tx.attempts;
      assert.deepEqual(commit, {
        key: "challenge-commit:1",
        label: "commitChallenge",
        call: {
          address: ADDRESSES.disputeGame,
          abi: disputeGameAbi,
          functionName: "commitChallenge",
          args: [JOB.modelId, row.commitment],
        },
        options: { deadline: WINDOW_END },
      });
      assert.equal(w.metrics.of("challenges"), 1);
      assert.equal(w.log.with("challenge commit sent").length, 1);
      assert.equal(w.row().state, "committing", "waiting for the commit's receipt");
    });

    test("a job whose window closed or whose commitment was replaced is abandoned before its commit", async () => {
      const closed = world();
      closed.responder.open(JOB);
      await closed.tick(undefined, WINDOW_END);
      assert.equal(closed.row().state, "abandoned");
      assert.equal(closed.store.reasons.get(1), "window closed or commitment replaced before the commit");
      assert.equal(closed.log.with("challenge abandoned before its commit").length, 1);

      const replaced = world();
      replaced.chain.jobs.set(JOB.jobId, { commitmentHash: word(0xbad), windowEnd: WINDOW_END, frozen: false });
      replaced.responder.open(JOB);
      await replaced.tick();
      assert.equal(replaced.row().state, "abandoned");

      for (const w of [closed, replaced]) {
        assert.equal(w.tx.attempts.length, 0, "nothing sent");
        assert.equal(w.metrics.of("challenges"), 0);
      }
    });

    test("a frozen job (already disputed) is still challenged after its window", async () => {
      const w = world();
      w.chain.jobs.set(JOB.jobId, { commitmentHash: JOB.commitmentHash, windowEnd: WINDOW_END, frozen: true });
      w.responder.open(JOB);
      await w.tick(undefined, WINDOW_END + 100n);
      assert.deepEqual(
        w.tx.sentAs("commitChallenge").map((s) => s.key),
        ["challenge-commit:1"],
      );
    });

    test("a commit that reverted abandons the challenge", async () => {
      const w = world();
      w.responder.open(JOB);
      await w.tick();
      w.tx.mine("challenge-commit:1", "reverted");
      await w.tick();
      assert.equal(w.row().state, "abandoned");
      assert.equal(w.store.reasons.get(1), "commit reverted");
      assert.equal(w.log.with("challenge commit failed")[0]?.level, "error");
    });

    test("the challenge id is our ChallengeCommitted event's, not another challenger's in the same receipt", async () => {
      const w = world();
      const row = w.responder.open(JOB);
      await w.tick();
      w.tx.mine("challenge-commit:1", "success", [
        challengeCommittedLog(CHALLENGE_ID - 1n, SOMEONE_ELSE, word(9)),
        challengeCommittedLog(CHALLENGE_ID, WATCHER, row.commitment),
      ]);
      await w.tick();
      assert.equal(w.row().challengeId, CHALLENGE_ID);
      assert.equal(w.row().state, "revealing");
      assert.equal(w.log.with("challenge committed")[0]?.fields["challenge"], CHALLENGE_ID);
    });
  });

  describe("reveal", () => {
    test("waits for the commit's receipt, then goes one block after the commit, once", async () => {
      const w = world();
      w.responder.open(JOB);
      await w.tick();
      await w.tick(headAt(COMMIT_BLOCK + 5n));
      assert.equal(w.row().state, "committing", "the commit is still pending");
      assert.equal(w.tx.attemptsOf("revealChallenge"), 0);

      const row = w.row();
      w.tx.mine("challenge-commit:1", "success", [challengeCommittedLog(CHALLENGE_ID, WATCHER, row.commitment)]);
      setChallenge(w);
      await w.tick(headAt(COMMIT_BLOCK + 5n));
      assert.equal(w.row().state, "revealing");
      assert.equal(w.tx.attemptsOf("revealChallenge"), 0, "the step that reads the receipt sends nothing else");

      await w.tick(headAt(COMMIT_BLOCK));
      assert.equal(w.tx.attemptsOf("revealChallenge"), 0, "not in the commit's block");

      await w.tick(headAt(COMMIT_BLOCK + 1n));
      await w.tick(headAt(COMMIT_BLOCK + 2n));
      w.restart();
      await w.tick(headAt(COMMIT_BLOCK + 3n));
      assert.equal(w.tx.attemptsOf("revealChallenge"), 1);
      assert.deepEqual(w.tx.sentAs("revealChallenge"), [
        {
          key: `challenge-reveal:1:${CHALLENGE_ID}:0`,
          label: "revealChallenge",
          call: {
            address: ADDRESSES.disputeGame,
            abi: disputeGameAbi,
            functionName: "revealChallenge",
            args: [CHALLENGE_ID, JOB.jobId, JOB.commitmentHash, row.salt],
          },
          options: { deadline: WINDOW_END, after: "challenge-commit:1" },
        },
      ]);
      assert.equal(w.log.with("challenge reveal sent").length, 1);

      setChallenge(w, { phase: Phase.AwaitRoots, deadline: 1500n });
      await w.tick(headAt(COMMIT_BLOCK + 4n));
      assert.equal(w.row().state, "playing");
      assert.equal(w.log.with("challenge revealed")[0]?.fields["phase"], "AwaitRoots");
    });

    for (const refusal of ["WindowClosed", "RevealWindowPassed", "ModelMismatch"] as const) {
      test(`a reveal refused with ${refusal} abandons the challenge`, async () => {
        const w = world();
        await committed(w);
        setChallenge(w);
        w.tx.refuse.set("revealChallenge", refusal);
        await w.tick(headAt(COMMIT_BLOCK + 1n));
        assert.equal(w.row().state, "abandoned");
        assert.equal(w.store.reasons.get(1), refusal);
        assert.equal(w.log.with("challenge abandoned: reveal refused").length, 1);
        assert.equal(w.tx.sentAs("revealChallenge").length, 0, "nothing journaled");
        assert.equal(w.tx.attemptsOf("reclaimCommitment"), 0, "the game keeps such a bond: no reclaim");
        await w.tick(headAt(COMMIT_BLOCK + 2n));
        assert.equal(w.tx.attemptsOf("revealChallenge"), 1, "an abandoned challenge is not stepped again");
      });
    }

    // A changed commitment, or fraud already established by someone else: the game may hand the bond back.
    for (const refusal of ["StaleCommitment", "JobNotChallengeable"] as const) {
      test(`a reveal refused with ${refusal} reclaims the bond, retrying until the game resolves it`, async () => {
        const w = world();
        await committed(w);
        setChallenge(w);
        w.tx.refuse.set("revealChallenge", refusal);
        // The first reclaim's simulation fails for a reason that may pass (an undecoded revert).
        w.tx.refuse.set("reclaimCommitment", undefined);
        await w.tick(headAt(COMMIT_BLOCK + 1n));
        assert.equal(w.row().state, "reclaiming");
        assert.equal(w.store.reasons.get(1), refusal);
        assert.equal(w.log.with("challenge reveal refused; reclaiming the bond").length, 1);
        assert.equal(w.log.with("challenge step failed; retrying").length, 1);
        assert.equal(w.tx.sentAs("reclaimCommitment").length, 0);

        w.tx.refuse.delete("reclaimCommitment");
        await w.tick(headAt(COMMIT_BLOCK + 2n));
        const args = [CHALLENGE_ID, JOB.jobId, JOB.commitmentHash, w.row().salt];
        assert.deepEqual(
          w.tx.sentAs("reclaimCommitment").map((r) => [r.key, r.call.args]),
          [[`challenge-reclaim:1:${CHALLENGE_ID}`, args]],
        );
        // Mined but reverted (a reorg, a race): sent again under the next attempt's key.
        w.tx.mine(`challenge-reclaim:1:${CHALLENGE_ID}`, "reverted");
        await w.tick(headAt(COMMIT_BLOCK + 3n));
        assert.equal(w.row().attempt, 1);
        assert.equal(w.log.with("challenge bond reclaim failed; retrying").length, 1);
        w.restart();
        await w.tick(headAt(COMMIT_BLOCK + 4n));
        assert.deepEqual(
          w.tx.sentAs("reclaimCommitment").map((r) => r.key),
          [`challenge-reclaim:1:${CHALLENGE_ID}`, `challenge-reclaim:1:${CHALLENGE_ID}:1`],
        );
        w.tx.mine(`challenge-reclaim:1:${CHALLENGE_ID}:1`);
        setChallenge(w, { phase: Phase.Resolved, outcome: Outcome.Reclaimed, reason: Reason.Unrevealable });
        await w.tick(headAt(COMMIT_BLOCK + 5n));
        assert.equal(w.row().state, "resolved");
        assert.equal(w.row().outcome, "Reclaimed");
        assert.equal(w.log.with("challenge bond reclaimed").length, 1);
        await w.tick(headAt(COMMIT_BLOCK + 6n));
        assert.equal(w.tx.attemptsOf("reclaimCommitment"), 3, "a resolved challenge is not stepped again");
      });
    }

    test("a reclaim the game refuses with NotReclaimable gives the bond up", async () => {
      const w = world();
      await committed(w);
      setChallenge(w);
      w.tx.refuse.set("revealChallenge", "JobNotChallengeable");
      w.tx.refuse.set("reclaimCommitment", "NotReclaimable");
      await w.tick(headAt(COMMIT_BLOCK + 1n));
      assert.equal(w.row().state, "abandoned");
      assert.equal(w.store.reasons.get(1), "NotReclaimable");
      assert.equal(w.log.with("challenge bond not reclaimable")[0]?.level, "error");
      await w.tick(headAt(COMMIT_BLOCK + 2n));
      assert.equal(w.tx.attemptsOf("reclaimCommitment"), 1);
    });

    test("a reveal still unmined when the reveal window closes is given up without another send", async () => {
      const w = world();
      await committed(w);
      setChallenge(w);
      await w.tick(headAt(COMMIT_BLOCK + 1n));
      w.tx.mine(`challenge-reveal:1:${CHALLENGE_ID}:0`, "reverted");
      // The last block of the window: a failed reveal is still worth another attempt.
      await w.tick(headAt(COMMIT_BLOCK + REVEAL_WINDOW));
      assert.equal(w.row().attempt, 1);
      await w.tick(headAt(COMMIT_BLOCK + REVEAL_WINDOW));
      assert.equal(w.tx.sentAs("revealChallenge").length, 2);
      await w.tick(headAt(COMMIT_BLOCK + REVEAL_WINDOW + 1n));
      assert.equal(w.row().state, "abandoned");
      assert.equal(w.store.reasons.get(1), "RevealWindowPassed");
      assert.equal(
        w.log.with("challenge abandoned: reveal window passed, the bond will be forfeited")[0]?.fields["lastBlock"],
        COMMIT_BLOCK + REVEAL_WINDOW,
      );
      assert.equal(w.tx.attemptsOf("revealChallenge"), 2);
    });

    test("a commitment forfeited before the reveal is recorded as such", async () => {
      const w = world();
      await committed(w);
      setChallenge(w, { phase: Phase.Resolved, outcome: Outcome.Forfeited, reason: Reason.Unrevealed });
      await w.tick(headAt(COMMIT_BLOCK + 1n));
      assert.equal(w.row().state, "resolved");
      assert.equal(w.row().outcome, "Forfeited");
      assert.equal(w.log.with("challenge ended before it was played")[0]?.level, "error");
      assert.equal(w.tx.attemptsOf("revealChallenge"), 0);
    });

    for (const refusal of ["RevealTooEarly", "WrongPhase", undefined] as const) {
      test(`a reveal refused with ${refusal ?? "an undecoded revert"} is tried again on the next tick`, async () => {
        const w = world();
        await committed(w);
        setChallenge(w);
        w.tx.refuse.set("revealChallenge", refusal);
        await w.tick(headAt(COMMIT_BLOCK + 1n));
        await w.tick(headAt(COMMIT_BLOCK + 2n));
        assert.equal(w.row().state, "revealing");
        assert.equal(w.tx.attemptsOf("revealChallenge"), 2);
        assert.equal(w.log.with("challenge step failed; retrying").length, 2);

        w.tx.refuse.delete("revealChallenge");
        await w.tick(headAt(COMMIT_BLOCK + 3n));
        assert.deepEqual(
          w.tx.sentAs("revealChallenge").map((s) => s.key),
          [`challenge-reveal:1:${CHALLENGE_ID}:0`],
        );
      });
    }

    test("a reveal that reverted on-chain is sent again under the next attempt's key", async () => {
      const w = world();
      await committed(w);
      setChallenge(w);
      await w.tick(headAt(COMMIT_BLOCK + 1n));
      w.tx.mine(`challenge-reveal:1:${CHALLENGE_ID}:0`, "reverted");
      await w.tick(headAt(COMMIT_BLOCK + 2n));
      assert.equal(w.row().attempt, 1);
      assert.equal(w.log.with("challenge reveal failed; retrying").length, 1);
      await w.tick(headAt(COMMIT_BLOCK + 3n));
      assert.deepEqual(
        w.tx.sentAs("revealChallenge").map((s) => s.key),
        [`challenge-reveal:1:${CHALLENGE_ID}:0`, `challenge-reveal:1:${CHALLENGE_ID}:1`],
      );
    });
  });

  describe("play", () => {
    let trace: Trace;
    before(async () => {
      const { compiled, inputs } = loadWorkload(1);
      const [input] = inputs;
      assert.ok(input !== undefined, "the evaluation file holds an image");
      trace = await traceModel(compiled, input);
    });

    /** A world whose store holds the watcher's own trace of the job, as the verifier saves it. */
    function tracedWorld(opts: { modelFile?: boolean } = {}): World {
      const w = world(opts);
      w.store.traces.set(`${JOB.jobId}:${JOB.commitmentHash}`, {
        input: pack(trace.input),
        nodes: trace.nodeOutputs.map((t) => pack(t)),
      });
      return w;
    }

    /** The provider's roots: the honest ones with node `k`'s replaced. */
    const forgedRoots = (k: number): Hex[] => trace.nodeRoots.map((r, i) => (i === k ? word(0xf00d) : r));

    test("a float32 job's stored trace is of no use once the posted roots differ from the served ones: an error, once", async () => {
      // The provider's served trace as the float path stores it, with the element outside its bound.
      const floatWorld = (roots: readonly Hex[]): World => {
        const w = world();
        w.store.traces.set(`${JOB.jobId}:${JOB.commitmentHash}`, {
          input: pack(trace.input),
          nodes: trace.nodeOutputs.map((t) => pack(t)),
          target: { nodeIndex: 1, outIndex: 0 },
        });
        w.chain.roots = roots;
        return w;
      };
      const head = headAt(COMMIT_BLOCK + 3n, 1100n);
      const served = floatWorld(trace.nodeRoots);
      await playing(served, { phase: Phase.AwaitNode, deadline: 1500n });
      await served.tick(head);
      assert.equal(served.metrics.of("float_roots_differ"), 0, "posted as served");
      assert.equal(served.tx.attemptsOf("selectElement"), 1, "posted as served: the target's word is opened");

      const posted = forgedRoots(2);
      const w = floatWorld(posted);
      await playing(w, { phase: Phase.AwaitNode, deadline: 1500n });
      await w.tick(head);
      await w.tick(head);
      assert.equal(w.metrics.of("float_roots_differ"), 1);
      const [logged, ...again] = w.log.with(
        "the provider posted node roots other than the float trace it served; no move from the stored trace",
      );
      assert.equal(again.length, 0, "reported once per challenge");
      assert.equal(logged?.level, "error");
      assert.equal(logged?.fields["postedTraceRoot"], traceRootOf(posted));
      assert.equal(logged?.fields["servedTraceRoot"], trace.traceRoot);
      assert.equal(
        w.tx.attemptsOf("selectNode") + w.tx.attemptsOf("selectElement"),
        0,
        "no move from a trace the provider did not post",
      );
    });

    test("a refused move is simulated again only after the pause", async () => {
      const w = tracedWorld();
      // The provider missed its roots deadline: the solver claims the timeout.
      await playing(w, { phase: Phase.AwaitRoots, deadline: 500n });
      const late = headAt(COMMIT_BLOCK + 3n, 600n);
      w.tx.refuse.set("timeout", "DeadlineNotReached");

      await w.tick(late);
      assert.equal(w.tx.attemptsOf("timeout"), 1);
      const [refused] = w.log.with("move refused by simulation");
      assert.equal(refused?.fields["key"], `move:${CHALLENGE_ID}:timeout:${Phase.AwaitRoots}:0:0:0`);

      await w.tick(late);
      w.clock.advance(2999);
      await w.tick(late);
      assert.equal(w.tx.attemptsOf("timeout"), 1, "not simulated again within the pause");

      w.clock.advance(1);
      await w.tick(late);
      assert.equal(w.tx.attemptsOf("timeout"), 2, "simulated again once the pause is over");
      assert.equal(w.tx.sentAs("timeout").length, 0);

      w.tx.refuse.delete("timeout");
      w.clock.advance(3000);
      await w.tick(late);
      assert.deepEqual(w.tx.sentAs("timeout"), [
        {
          key: `move:${CHALLENGE_ID}:timeout:${Phase.AwaitRoots}:0:0:0`,
          label: "timeout",
          call: { address: ADDRESSES.disputeGame, abi: disputeGameAbi, functionName: "timeout", args: [CHALLENGE_ID] },
          options: { deadline: undefined },
        },
      ]);
      assert.equal(w.log.with("dispute move: timeout")[0]?.fields["phase"], "AwaitRoots");
    });

    test("a move that reverted on-chain is sent again under the next attempt's key", async () => {
      const w = tracedWorld();
      await playing(w, { phase: Phase.AwaitRoots, deadline: 500n });
      const late = headAt(COMMIT_BLOCK + 3n, 600n);
      await w.tick(late);
      w.tx.mine(`move:${CHALLENGE_ID}:timeout:${Phase.AwaitRoots}:0:0:0`, "reverted");
      await w.tick(late);
      assert.equal(w.row().attempt, 1);
      assert.equal(w.log.with("move failed on-chain; retrying").length, 1);
      await w.tick(late);
      assert.deepEqual(
        w.tx.sentAs("timeout").map((s) => s.key),
        [0, 1].map((a) => `move:${CHALLENGE_ID}:timeout:${Phase.AwaitRoots}:0:0:${a}`),
      );
    });

    test("the first divergent node is disputed once; the posted roots are read once per process", async () => {
      const w = tracedWorld();
      const k = 1;
      w.chain.roots = forgedRoots(k);
      await playing(w, { phase: Phase.AwaitNode, deadline: 1500n });
      const head = headAt(COMMIT_BLOCK + 3n, 1100n);
      await w.tick(head);
      await w.tick(head);

      const [select, ...more] = w.tx.sentAs("selectNode");
      assert.equal(more.length, 0);
      assert.ok(select !== undefined, "selectNode sent");
      assert.equal(select.key, `move:${CHALLENGE_ID}:selectNode:${Phase.AwaitNode}:0:0:0`);
      assert.equal(select.call.functionName, "selectNode");
      assert.equal(select.call.args[0], CHALLENGE_ID);
      assert.equal(select.call.args[1], k);
      assert.deepEqual(select.call.args[4], w.chain.roots);
      assert.deepEqual(select.options, { deadline: 1500n });
      assert.equal(w.log.with("disputing node")[0]?.fields["node"], k);
      assert.deepEqual(w.chain.queries, [`postedRoots(${JOB.jobId}, ${JOB_BLOCK})`], "the roots are cached");

      w.restart();
      await w.tick(head);
      assert.equal(w.tx.attemptsOf("selectNode"), 1, "a restarted watcher finds the move in the journal");
    });

    test("in AwaitChoice the divergent child of the current round is chosen", async () => {
      const w = tracedWorld();
      const nodeIndex = trace.nodeOutputs.findIndex((_, i) => trace.commitment(i).tree.depth >= 2);
      assert.ok(nodeIndex >= 0, "some node output spans several words");
      const tree = trace.commitment(nodeIndex).tree;
      const level = tree.depth;
      const honest = childrenOf(tree, level, 0);
      const forged = honest.map((c, j) => (j === 1 ? word(0xbeef) : c));
      w.chain.roots = forgedRoots(nodeIndex);
      w.chain.children = [
        { level, index: 0, children: forged },
        { level: level - 1, index: 0, children: honest },
      ];
      await playing(w, { phase: Phase.AwaitChoice, deadline: 1500n, nodeIndex, anchorLevel: level, anchorIndex: 0 });
      await w.tick(headAt(COMMIT_BLOCK + 3n, 1100n));

      assert.ok(w.chain.queries.includes(`revealedChildren(${CHALLENGE_ID}, ${level}, 0, ${JOB_BLOCK})`));
      assert.deepEqual(
        w.tx.sentAs("chooseChild").map((s) => [s.key, s.call.args]),
        [[`move:${CHALLENGE_ID}:chooseChild:${Phase.AwaitChoice}:${level}:0:0`, [CHALLENGE_ID, forged, 1n]]],
      );
    });

    test("in AwaitProof the one-step proof is built from the provider's whole reveal", async () => {
      const w = tracedWorld();
      const nodeIndex = trace.nodeOutputs.length - 1;
      const honest = trace.commitment(nodeIndex);
      assert.ok(honest.wordCount <= 64, "the output is small enough for a whole reveal");
      // The provider's words: the honest ones with the first byte of word 0 (element 0's) flipped.
      const words = Array.from({ length: honest.wordCount }, (_, i) => honest.word(i));
      const [first] = words;
      assert.ok(first !== undefined);
      const flipped = (Number.parseInt(first.slice(2, 4), 16) ^ 0xff).toString(16).padStart(2, "0");
      words[0] = `0x${flipped}${first.slice(4)}`;
      w.chain.roots = forgedRoots(nodeIndex);
      w.chain.whole = words;
      await playing(w, { phase: Phase.AwaitProof, deadline: 1500n, nodeIndex, wordCount: honest.wordCount });
      await w.tick(headAt(COMMIT_BLOCK + 3n, 1100n));

      assert.ok(w.chain.queries.includes(`wholeReveal(${CHALLENGE_ID}, ${JOB_BLOCK})`));
      const [prove, ...more] = w.tx.sentAs("proveStep");
      assert.equal(more.length, 0);
      assert.ok(prove !== undefined, "proveStep sent");
      assert.equal(prove.key, `move:${CHALLENGE_ID}:proveStep:${Phase.AwaitProof}:0:0:0`);
      assert.equal(prove.call.args[0], CHALLENGE_ID);
      const proof = prove.call.args[1] as { outIndex: bigint; outWordIndex: bigint; nodeRoots: readonly Hex[] };
      assert.equal(proof.outIndex, 0n, "element 0 is the one the provider changed");
      assert.equal(proof.outWordIndex, 0n, "the element proven lies in the altered word");
      assert.deepEqual(proof.nodeRoots, w.chain.roots);
      assert.deepEqual(prove.options, { deadline: 1500n });
      const [sent] = w.log.with("one-step proof sent");
      assert.deepEqual(sent?.fields, {
        jobId: JOB.jobId,
        challenge: CHALLENGE_ID,
        node: nodeIndex,
        element: Number(proof.outIndex),
      });
    });

    test("without the model file nothing is sent and the error is logged", async () => {
      const w = tracedWorld({ modelFile: false });
      await playing(w, { phase: Phase.AwaitRoots, deadline: 500n });
      await w.tick(headAt(COMMIT_BLOCK + 3n, 600n));
      assert.equal(w.tx.attemptsOf("timeout"), 0);
      assert.equal(w.log.with("no local trace or model for a challenge in play")[0]?.level, "error");
    });

    test("a stored trace with more node outputs than the model has nodes is a clear error", async () => {
      const w = tracedWorld();
      const nodes = trace.nodeOutputs.map((t) => pack(t));
      w.store.traces.set(`${JOB.jobId}:${JOB.commitmentHash}`, {
        input: pack(trace.input),
        nodes: [...nodes, new Uint8Array(32)],
      });
      await playing(w, { phase: Phase.AwaitRoots, deadline: 500n });
      await w.tick(headAt(COMMIT_BLOCK + 3n, 600n));
      assert.equal(w.tx.attemptsOf("timeout"), 0);
      const failed = w.log.with("challenge step failed; retrying").at(-1);
      assert.match(String(failed?.fields["err"]), /has \d+ node outputs; its model has \d+ nodes/);
    });
  });

  describe("resolution", () => {
    test("a won challenge is settled, then recorded as won", async () => {
      const w = world();
      await playing(w, { phase: Phase.Resolved, outcome: Outcome.Won, reason: Reason.FraudProven });
      w.chain.disputes.set(JOB.jobId, {
        fraud: true,
        settled: false,
        open: 0,
        winner: CHALLENGE_ID,
        challenges: [CHALLENGE_ID],
      });
      await w.tick(headAt(COMMIT_BLOCK + 3n));

      assert.deepEqual(
        w.tx.sentAs("settle").map((s) => [s.key, s.call.functionName, s.call.args, s.options]),
        [[`settle:${JOB.jobId}:${COMMIT_BLOCK + 3n}`, "settle", [JOB.jobId], { deadline: undefined }]],
      );
      assert.equal(w.row().state, "playing", "recorded only once settled");
      assert.equal(w.metrics.of("disputes_won"), 0);

      w.chain.disputes.set(JOB.jobId, {
        fraud: true,
        settled: true,
        open: 0,
        winner: CHALLENGE_ID,
        challenges: [CHALLENGE_ID],
      });
      await w.tick(headAt(COMMIT_BLOCK + 4n));
      assert.equal(w.row().state, "resolved");
      assert.equal(w.row().outcome, "Won");
      assert.equal(w.store.reasons.get(1), "FraudProven");
      assert.equal(w.metrics.of("disputes_won"), 1);
      const [resolved] = w.log.with("challenge resolved");
      assert.equal(resolved?.level, "info");
      assert.deepEqual(resolved?.fields, {
        jobId: JOB.jobId,
        challenge: CHALLENGE_ID,
        outcome: "Won",
        reason: "FraudProven",
      });

      await w.tick(headAt(COMMIT_BLOCK + 5n));
      assert.equal(w.metrics.of("disputes_won"), 1, "a resolved challenge is not stepped again");
    });

    test("a won challenge whose settlement waits on younger open challenges moots them, then settles", async () => {
      const w = world();
      await playing(w, { phase: Phase.Resolved, outcome: Outcome.Won, reason: Reason.FraudProven });
      const older = CHALLENGE_ID - 1n;
      const younger = CHALLENGE_ID + 1n;
      const resolvedYounger = CHALLENGE_ID + 2n;
      // An older challenge still playing is not ours to end; the younger open one is moot.
      w.chain.challenges.set(older, { ...challengeOf(w), id: older, phase: Phase.AwaitNode });
      w.chain.challenges.set(younger, { ...challengeOf(w), id: younger, phase: Phase.AwaitNode });
      w.chain.challenges.set(resolvedYounger, {
        ...challengeOf(w),
        id: resolvedYounger,
        phase: Phase.Resolved,
        outcome: Outcome.Lost,
      });
      const challenges = [older, CHALLENGE_ID, younger, resolvedYounger];
      w.chain.disputes.set(JOB.jobId, { fraud: true, settled: false, open: 2, winner: CHALLENGE_ID, challenges });
      await w.tick(headAt(COMMIT_BLOCK + 3n));

      assert.deepEqual(
        w.tx.sentAs("moot").map((s) => [s.key, s.call.functionName, s.call.args]),
        [[`moot:${younger}:${COMMIT_BLOCK + 3n}`, "moot", [younger]]],
      );
      assert.equal(w.tx.sentAs("settle").length, 0, "settling waits on the older open challenge");
      assert.equal(w.row().state, "playing");

      // Past its deadline the older one is ours to time out: its lost bond joins the pot we take.
      await w.tick(headAt(COMMIT_BLOCK + 4n, 10_001n));
      assert.deepEqual(
        w.tx.sentAs("timeout").map((s) => [s.key, s.call.args]),
        [[`timeout-other:${older}:${COMMIT_BLOCK + 4n}`, [older]]],
      );

      w.chain.disputes.set(JOB.jobId, { fraud: true, settled: false, open: 0, winner: CHALLENGE_ID, challenges });
      await w.tick(headAt(COMMIT_BLOCK + 5n));
      assert.equal(w.tx.sentAs("settle").length, 1);
    });

    test("a lost challenge is recorded as lost, with an error, and nothing is settled", async () => {
      const w = world();
      w.chain.disputes.set(JOB.jobId, {
        fraud: false,
        settled: false,
        open: 0,
        winner: 0n,
        challenges: [CHALLENGE_ID],
      });
      await playing(w, { phase: Phase.Resolved, outcome: Outcome.Lost, reason: Reason.ElementMatches });
      await w.tick(headAt(COMMIT_BLOCK + 3n));

      assert.equal(w.row().state, "resolved");
      assert.equal(w.row().outcome, "Lost");
      assert.equal(w.store.reasons.get(1), "ElementMatches");
      assert.equal(w.metrics.of("disputes_lost"), 1);
      assert.equal(w.metrics.of("disputes_won"), 0);
      assert.equal(w.log.with("challenge resolved")[0]?.level, "error");
      assert.equal(w.chain.disputeReads, 0, "a lost dispute is not read");
      assert.equal(w.tx.sentAs("settle").length, 0);
    });
  });

  describe("restarts and reorgs", () => {
    test("a watcher restarted at every step carries on from the journal without sending anything twice", async () => {
      const w = world();
      w.chain.disputes.set(JOB.jobId, {
        fraud: true,
        settled: false,
        open: 0,
        winner: CHALLENGE_ID,
        challenges: [CHALLENGE_ID],
      });
      const steps: [ChainHead, () => void][] = [
        [headAt(COMMIT_BLOCK - 1n), () => w.responder.open(JOB)],
        [
          headAt(COMMIT_BLOCK),
          () => {
            w.tx.mine("challenge-commit:1", "success", [
              challengeCommittedLog(CHALLENGE_ID, WATCHER, w.row().commitment),
            ]);
            setChallenge(w);
          },
        ],
        [headAt(COMMIT_BLOCK + 1n), () => {}],
        [
          headAt(COMMIT_BLOCK + 2n, 600n),
          () => {
            w.tx.mine(`challenge-reveal:1:${CHALLENGE_ID}:0`);
            setChallenge(w, { phase: Phase.Resolved, outcome: Outcome.Won, reason: Reason.ProviderTimeout });
          },
        ],
        [headAt(COMMIT_BLOCK + 3n), () => {}],
      ];
      for (const [head, change] of steps) {
        change();
        // Twice: a step that only records a state change sends on the next tick.
        await w.tick(head);
        await w.tick(head);
        const journaled = [...w.tx.journal.keys()];
        w.restart();
        await w.tick(head);
        assert.deepEqual([...w.tx.journal.keys()], journaled, `nothing new after a restart at block ${head.number}`);
      }
      assert.deepEqual(
        [...w.tx.journal.values()].map((t) => t.sent.label),
        ["commitChallenge", "revealChallenge", "settle", "settle"],
      );
      assert.equal(w.metrics.of("challenges"), 1);
      assert.deepEqual(
        w.tx.attempts.filter((s) => s.label !== "settle").map((s) => s.key),
        ["challenge-commit:1", `challenge-reveal:1:${CHALLENGE_ID}:0`],
        "the commit and the reveal were each submitted once",
      );
    });

    const notOurs: [string, Partial<ChainChallenge>][] = [
      ["another challenger's", { challenger: SOMEONE_ELSE, commitment: word(9) }],
      ["ours with another commitment", { commitment: word(9) }],
    ];
    for (const [what, atOldId] of notOurs) {
      test(`a commit re-mined under another id by a reorg (the old id now ${what}) is followed to its new id`, async () => {
        const w = world();
        await committed(w);
        // After the reorg the challenge at our old id is not this row's; the new receipt names id 8.
        setChallenge(w, atOldId);
        w.tx.mine("challenge-commit:1", "success", [
          challengeCommittedLog(CHALLENGE_ID + 1n, WATCHER, w.row().commitment),
        ]);
        await w.tick(headAt(COMMIT_BLOCK + 1n));
        assert.equal(w.row().challengeId, CHALLENGE_ID + 1n);
        assert.equal(w.row().state, "revealing");
        assert.deepEqual(w.log.with("challenge id changed after a reorg")[0]?.fields, {
          jobId: JOB.jobId,
          challenge: CHALLENGE_ID,
          was: CHALLENGE_ID,
          now: CHALLENGE_ID + 1n,
        });
        assert.equal(w.tx.attemptsOf("revealChallenge"), 0, "no reveal for a challenge that is not ours");
      });
    }

    test("a commit dropped by a reorg (pending again) puts the row back to committing", async () => {
      const w = world();
      await committed(w);
      setChallenge(w, { challenger: SOMEONE_ELSE, commitment: word(9) });
      const commit = w.tx.journal.get("challenge-commit:1");
      assert.ok(commit !== undefined);
      Object.assign(commit, { status: "pending", outcome: undefined, logs: undefined });
      await w.tick(headAt(COMMIT_BLOCK + 1n));
      assert.equal(w.row().state, "committing");
      assert.equal(w.tx.attemptsOf("commitChallenge"), 1, "the journaled commit is re-sent by the sender, not again");
    });
  });
});
