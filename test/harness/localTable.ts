/**
 * A local table for dispute games: one anvil node with the whole protocol
 * deployed, funded accounts for each role, time under control, and a referee
 * loop that lets the provider and its challengers play a job's dispute to its
 * end. Used by the tests (test/dispute/) and the gas benchmark (scripts/gas.ts).
 */
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseEventLogs,
  type Address,
  type Hex,
  type PublicClient,
  type TestClient,
} from "viem";
import { foundry } from "viem/chains";
import { jobManagerAbi } from "../../src/chain/abis.ts";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { readLatestTimestamp } from "../../src/chain/read/block.ts";
import {
  readChallenge,
  readClaimable,
  readDispute,
  type Challenge,
  type Dispute,
} from "../../src/chain/read/dispute.ts";
import { readJob, type Job } from "../../src/chain/read/jobs.ts";
import { readModelExists } from "../../src/chain/read/registry.ts";
import { ReadCache } from "../../src/chain/read/reveals.ts";
import { readStake, type Stake } from "../../src/chain/read/stake.ts";
import { readBalance } from "../../src/chain/read/token.ts";
import { DEFAULT_PROTOCOL_PARAMETERS, deployProtocol, type Deployment } from "../../src/chain/deploy.ts";
import { approve, commitJob, deposit, mint, registerModel, requestJob } from "../../src/client/calls.ts";
import type { ProtocolAddresses, RefuteClient } from "../../src/client/contracts.ts";
import { send } from "../../src/client/send.ts";
import { modelIdOf, type ModelParams } from "../../src/model/modelSpec.ts";
import type { CompiledModel } from "../../src/onnx/compile.ts";
import { modelSpecFor } from "../../src/onnx/modelSpecFor.ts";
import type { HonestTraceData } from "../../src/proof/dispute.ts";
import { pack } from "../../src/tensor/packing.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { playChallenger, playProvider, type StepResult } from "../../src/dispute/play.ts";
import type { ProviderData } from "../../src/dispute/solver.ts";
import { isOpen, isProviderTurn, Phase } from "../../src/dispute/state.ts";
import { honestStrategy, type ChallengerStrategy } from "../../src/dispute/strategy.ts";
import { at } from "../../src/tensor/at.ts";

/** Token amounts in base units (18 decimals). */
export const TOKEN = 10n ** 18n;

/** Where the treasury's share of a slash goes on a local table (an address nobody holds). */
export const LOCAL_TREASURY: Address = "0x7ea5000000000000000000000000000000007ea5";

/** Model parameters of local games: 10-minute window, 5-minute moves, 100 collateral, 10 bond. */
export const LOCAL_MODEL_PARAMS: ModelParams = {
  challengeWindow: 600n,
  responseWindow: 300n,
  collateralPerJob: 100n * TOKEN,
  challengerBond: 10n * TOKEN,
};

export interface LocalTable {
  readonly anvil: AnvilNode;
  readonly public: PublicClient;
  /** anvil's own methods: mining, the clock, the pool. */
  readonly test: TestClient<"anvil">;
  readonly addresses: ProtocolAddresses;
  readonly deployment: Deployment;
  /** anvil's unlocked accounts: 0 deploys, 1 requests, 2 provides, 3… challenge. */
  readonly accounts: readonly Address[];
  readonly requester: RefuteClient;
  readonly provider: RefuteClient;
  /** Challenger seats, from account 3 on. */
  challenger(seat: number): RefuteClient;
  /** A client acting as any account. */
  clientOf(account: Address): RefuteClient;
  stop(): Promise<void>;
}

export interface OpenTableOptions {
  /** Challenger seats to fund (default 4). */
  readonly challengers?: number;
  /** Block gas limit (default 30M; raise it for large batches). */
  readonly gasLimit?: bigint;
}

/** Starts anvil, deploys the protocol and funds the requester, the provider's stake and the challengers. */
export async function openTable(options: OpenTableOptions = {}): Promise<LocalTable> {
  const seats = options.challengers ?? 4;
  const anvil = await startAnvil({
    args: ["--accounts", String(3 + seats), "--gas-limit", String(options.gasLimit ?? 30_000_000n)],
  });
  try {
    // Generous timeout: a loaded CI machine can take seconds to answer a large eth_call.
    const transport = http(anvil.rpcUrl, { batch: true, timeout: 120_000 });
    const publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 20 });
    const testClient = createTestClient({ chain: foundry, mode: "anvil", transport });
    // Each block one second after the last, whatever the wall clock does: games (and their gas,
    // which depends on whether a rewritten deadline changed) replay exactly.
    await testClient.setBlockTimestampInterval({ interval: 1 });
    const accounts = await createWalletClient({ chain: foundry, transport }).getAddresses();
    // anvil was started with 3 + seats accounts: 0 deploys, 1 requests, 2 provides, 3… challenge.
    const account = (i: number): Address => at(accounts, i);
    const wallet = (account: Address) =>
      createWalletClient({ chain: foundry, transport, account, pollingInterval: 20 });
    const deployment = await deployProtocol({
      publicClient,
      walletClient: wallet(account(0)),
      params: { ...DEFAULT_PROTOCOL_PARAMETERS, treasury: LOCAL_TREASURY },
    });
    const addresses: ProtocolAddresses = {
      token: deployment.token,
      stakeManager: deployment.stakeManager,
      modelRegistry: deployment.modelRegistry,
      jobManager: deployment.jobManager,
      disputeGame: deployment.disputeGame,
      oneStepVerifier: deployment.oneStepVerifier,
    };
    const clients = new Map<Address, RefuteClient>();
    const clientOf = (account: Address): RefuteClient => {
      let c = clients.get(account.toLowerCase() as Address);
      if (!c) {
        c = { public: publicClient, wallet: wallet(account), addresses };
        clients.set(account.toLowerCase() as Address, c);
      }
      return c;
    };
    const requester = clientOf(account(1));
    const provider = clientOf(account(2));
    const nudger = startNudger(testClient);
    const plenty = 10n ** 12n * TOKEN;
    await fund(requester, plenty, addresses.jobManager);
    await fund(provider, plenty, addresses.stakeManager);
    await send(provider, deposit(addresses, plenty));
    for (let s = 0; s < seats; s++) await fund(clientOf(account(3 + s)), plenty, addresses.disputeGame);
    return {
      anvil,
      public: publicClient,
      test: testClient,
      addresses,
      deployment,
      accounts,
      requester,
      provider,
      challenger: (seat) => {
        if (seat < 0 || seat >= seats) throw new RangeError(`no challenger seat ${seat} (the table has ${seats})`);
        return clientOf(account(3 + seat));
      },
      clientOf,
      stop: async () => {
        nudger.stop();
        await anvil.stop();
      },
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

/**
 * Mines a block when a transaction has sat in anvil's pool for a while: with automine, anvil
 * occasionally leaves a ready transaction unmined (foundry-rs/foundry#10122), and the sender
 * would wait for a receipt that never comes. Only ever fires on that fault (or, on a
 * machine too loaded to mine within five seconds, on a slow automine).
 */
function startNudger(client: TestClient<"anvil">): { stop(): void } {
  let seen = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    (async () => {
      const status = await client.getTxpoolStatus();
      seen = status.pending > 0 ? seen + 1 : 0;
      // Five seconds of a transaction sitting in the pool: a busy machine can take more than a
      // second to automine one, and a nudge then mines an extra block, one second later,
      // which can push a move timed to land at its deadline past it.
      if (seen >= 10) {
        await client.mine({ blocks: 1 });
        seen = 0;
      }
    })()
      .catch(() => {})
      .finally(() => (busy = false));
  }, 500);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Mints `amount` to the client's account and approves `spender` for all of it. */
export async function fund(client: RefuteClient, amount: bigint, spender: Address): Promise<void> {
  await send(client, mint(client.addresses, client.wallet.account.address, amount));
  await send(client, approve(client.addresses, spender, amount));
}

// ------------------------------------------------------------------ time

export function now(table: Pick<LocalTable, "public">): Promise<bigint> {
  return readLatestTimestamp(table.public);
}

/** The next block (the next transaction's, with automine) gets exactly this timestamp. */
export async function setNextTimestamp(table: Pick<LocalTable, "test">, t: bigint): Promise<void> {
  await table.test.setNextBlockTimestamp({ timestamp: t });
}

/** Mines one empty block (a challenge reveal must come in a later block than its commit). */
export async function mineBlock(table: Pick<LocalTable, "test">): Promise<void> {
  await table.test.mine({ blocks: 1 });
}

/** Mines one empty block at timestamp `t` (which must be later than the latest block's). */
export async function mineAt(table: Pick<LocalTable, "test">, t: bigint): Promise<void> {
  await setNextTimestamp(table, t);
  await mineBlock(table);
}

// ------------------------------------------------------------------ models and jobs

/** Registers a compiled model under `params`; returns its modelId (registering twice is a no-op). */
export async function registerCompiled(
  table: LocalTable,
  compiled: CompiledModel,
  params: ModelParams = LOCAL_MODEL_PARAMS,
  uri = "file://model.onnx",
): Promise<Hex> {
  const spec = modelSpecFor(compiled, { uri, params });
  const id = modelIdOf(spec);
  const exists = await readModelExists(table.public, { address: table.addresses.modelRegistry, modelId: id });
  if (!exists) await send(table.requester, registerModel(table.addresses, spec));
  return id;
}

/** Requests a job with `input` inline and a fee; returns its id. */
export async function requestInference(
  table: LocalTable,
  modelId: Hex,
  input: Tensor,
  fee = 1n * TOKEN,
): Promise<bigint> {
  const commitDeadline = (await now(table)) + 3600n;
  const { receipt } = await send(
    table.requester,
    requestJob(table.addresses, { modelId, input: pack(input), fee, commitDeadline }),
  );
  const [event] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
  if (event === undefined) throw new Error(`the request of a job on model ${modelId} emitted no JobRequested`);
  return event.args.jobId;
}

/** The provider commits `c` for the job; returns the commitment hash challenges name. */
export async function commitResult(
  table: LocalTable,
  jobId: bigint,
  c: { readonly outputRoot: Hex; readonly outputPacked: Uint8Array },
): Promise<Hex> {
  const { receipt } = await send(
    table.provider,
    commitJob(table.addresses, { jobId, outputRoot: c.outputRoot, output: c.outputPacked }),
  );
  const [event] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobCommitted" });
  if (event === undefined) throw new Error(`the commit of job ${jobId} emitted no JobCommitted`);
  return event.args.commitmentHash;
}

export function jobOf(table: Pick<LocalTable, "public" | "addresses">, jobId: bigint): Promise<Job> {
  return readJob(table.public, { address: table.addresses.jobManager, jobId });
}

export function balanceOf(table: Pick<LocalTable, "public" | "addresses">, who: Address): Promise<bigint> {
  return readBalance(table.public, { address: table.addresses.token, owner: who });
}

/** What `who` can withdraw from the DisputeGame: every payout of a dispute is credited there (§9.5). */
export function claimableOf(table: Pick<LocalTable, "public" | "addresses">, who: Address): Promise<bigint> {
  return readClaimable(table.public, { address: table.addresses.disputeGame, account: who });
}

/**
 * What `who` holds plus what it can withdraw from the DisputeGame: dispute payouts are
 * credited to `claimable` (pull payments, §9.5), so a payout shows here without a withdraw.
 */
export async function holdingsOf(table: Pick<LocalTable, "public" | "addresses">, who: Address): Promise<bigint> {
  const [balance, claimable] = await Promise.all([balanceOf(table, who), claimableOf(table, who)]);
  return balance + claimable;
}

export function stakeOf(table: Pick<LocalTable, "public" | "addresses">, who: Address): Promise<Stake> {
  return readStake(table.public, { address: table.addresses.stakeManager, provider: who });
}

export function challengeOf(table: Pick<LocalTable, "public" | "addresses">, id: bigint): Promise<Challenge> {
  return readChallenge(table.public, { address: table.addresses.disputeGame, id });
}

export function disputeOf(table: Pick<LocalTable, "public" | "addresses">, jobId: bigint): Promise<Dispute> {
  return readDispute(table.public, { address: table.addresses.disputeGame, jobId });
}

// ------------------------------------------------------------------ referee

/** When a player sends its moves: as soon as it can, exactly at its deadline, or one second after. */
export type Timing = "prompt" | "at-deadline" | "late";

export interface ChallengerSeat {
  readonly client: RefuteClient;
  readonly id: bigint;
  readonly honest: HonestTraceData;
  /** Float32 jobs: the element to dispute in `honest`, which is then the provider's own trace. */
  readonly target?: { readonly nodeIndex: number; readonly outIndex: number };
  readonly strategy?: ChallengerStrategy;
  readonly timing?: Timing;
}

export interface Game {
  readonly jobId: bigint;
  readonly compiled: CompiledModel;
  readonly provider: ProviderData;
  readonly providerTiming?: Timing;
  readonly challengers: readonly ChallengerSeat[];
}

export interface GameRecord {
  /** Every step's result, in order, with who played it. */
  readonly steps: readonly { readonly who: "provider" | number; readonly result: StepResult }[];
}

/**
 * Lets the provider and every challenger play until the job's dispute is over:
 * every challenge resolved and the job slashed or released. When nobody can move,
 * time jumps to the next deadline (or the end of the grace period), so missed
 * deadlines turn into timeouts.
 */
export async function playOut(table: LocalTable, game: Game, maxRounds = 64): Promise<GameRecord> {
  const steps: { who: "provider" | number; result: StepResult }[] = [];
  const cache = new ReadCache();
  const options = { cache, fromBlock: table.deployment.deployBlock };
  for (let round = 0; round < maxRounds; round++) {
    let moved = false;
    await applyTiming(table, game.providerTiming, () => providerDeadline(table, game.jobId));
    const p = await playProvider(table.provider, game.jobId, game.provider, options);
    steps.push({ who: "provider", result: p });
    moved ||= p.sent.length > 0;
    for (const [k, seat] of game.challengers.entries()) {
      await applyTiming(table, seat.timing, () => challengerDeadline(table, seat.id));
      const r = await playChallenger(
        seat.client,
        seat.id,
        game.compiled,
        seat.target === undefined ? seat.honest : { honest: seat.honest, target: seat.target },
        seat.strategy ?? honestStrategy,
        options,
      );
      steps.push({ who: k, result: r });
      moved ||= r.sent.length > 0;
    }
    if (moved) continue;
    const dispute = await disputeOf(table, game.jobId);
    const job = await jobOf(table, game.jobId);
    if (dispute.open === 0 && (dispute.settled || !job.frozen)) return { steps };
    const t = await now(table);
    let next: bigint | undefined;
    for (const id of dispute.challenges) {
      const c = await challengeOf(table, id);
      if (isOpen(c.phase) && (next === undefined || c.deadline + 1n < next)) next = c.deadline + 1n;
    }
    if (dispute.open === 0 && dispute.graceEnd !== 0n) next = dispute.graceEnd;
    await mineAt(table, next !== undefined && next > t ? next : t + 1n);
  }
  throw new Error(`job ${game.jobId}: the dispute did not end within ${maxRounds} rounds`);
}

/** Sets the next block's timestamp for a player that moves at (or after) its deadline. */
async function applyTiming(table: LocalTable, timing: Timing | undefined, deadline: () => Promise<bigint | undefined>) {
  if (timing === undefined || timing === "prompt") return;
  const d = await deadline();
  if (d === undefined) return;
  const t = timing === "at-deadline" ? d : d + 1n;
  if (t > (await now(table))) await setNextTimestamp(table, t);
}

/** The earliest deadline among the provider's pending moves, if any. */
async function providerDeadline(table: LocalTable, jobId: bigint): Promise<bigint | undefined> {
  const dispute = await disputeOf(table, jobId);
  let d: bigint | undefined;
  for (const id of dispute.challenges) {
    const c = await challengeOf(table, id);
    if (!isOpen(c.phase) || !isProviderTurn(c.phase)) continue;
    if (c.phase === Phase.AwaitRoots && dispute.rootsPostedAt !== 0n) continue;
    if (d === undefined || c.deadline < d) d = c.deadline;
  }
  return d;
}

/** The deadline of the challenger's pending move, if it is its turn. */
async function challengerDeadline(table: LocalTable, id: bigint): Promise<bigint | undefined> {
  const c = await challengeOf(table, id);
  return isOpen(c.phase) && !isProviderTurn(c.phase) ? c.deadline : undefined;
}
