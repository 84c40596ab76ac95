/**
 * A local table for dispute games: one anvil node with the whole protocol
 * deployed, funded accounts for each role, time under control, and a referee
 * loop that lets the provider and its challengers play a job's dispute to its
 * end. Used by the tests (test/dispute/) and the gas benchmark (scripts/gas.ts).
 */
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEventLogs,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { foundry } from "viem/chains";
import { jobManagerAbi, modelRegistryAbi, stakeManagerAbi, tokenAbi } from "../../src/chain/abis.ts";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
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
import { ReadCache, readChallenge, readDispute } from "../../src/dispute/read.ts";
import type { ProviderData } from "../../src/dispute/solver.ts";
import { isOpen, isProviderTurn, Phase } from "../../src/dispute/state.ts";
import { honestStrategy, type ChallengerStrategy } from "../../src/dispute/strategy.ts";

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
    // Each block one second after the last, whatever the wall clock does: games (and their gas,
    // which depends on whether a rewritten deadline changed) replay exactly.
    await publicClient.request({ method: "anvil_setBlockTimestampInterval" as never, params: [1] as never });
    const accounts = await createWalletClient({ chain: foundry, transport }).getAddresses();
    const wallet = (account: Address) =>
      createWalletClient({ chain: foundry, transport, account, pollingInterval: 20 });
    const deployment = await deployProtocol({
      publicClient,
      walletClient: wallet(accounts[0]),
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
    const requester = clientOf(accounts[1]);
    const provider = clientOf(accounts[2]);
    const nudger = startNudger(publicClient);
    const plenty = 10n ** 12n * TOKEN;
    await fund(requester, plenty, addresses.jobManager);
    await fund(provider, plenty, addresses.stakeManager);
    await send(provider, deposit(addresses, plenty));
    for (let s = 0; s < seats; s++) await fund(clientOf(accounts[3 + s]), plenty, addresses.disputeGame);
    return {
      anvil,
      public: publicClient,
      addresses,
      deployment,
      accounts,
      requester,
      provider,
      challenger: (seat) => {
        if (seat < 0 || seat >= seats) throw new RangeError(`no challenger seat ${seat} (the table has ${seats})`);
        return clientOf(accounts[3 + seat]);
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
 * would wait for a receipt that never comes. Only ever fires on that fault.
 */
function startNudger(client: PublicClient): { stop(): void } {
  let seen = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    (async () => {
      const status = (await client.request({ method: "txpool_status" as never, params: [] as never })) as {
        pending: Hex;
      };
      seen = BigInt(status.pending) > 0n ? seen + 1 : 0;
      if (seen >= 3) {
        await client.request({ method: "evm_mine" as never, params: [] as never });
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

export async function now(table: Pick<LocalTable, "public">): Promise<bigint> {
  return (await table.public.getBlock({ blockTag: "latest" })).timestamp;
}

/** The next block (the next transaction's, with automine) gets exactly this timestamp. */
export async function setNextTimestamp(table: Pick<LocalTable, "public">, t: bigint): Promise<void> {
  await table.public.request({
    method: "evm_setNextBlockTimestamp" as never,
    params: [`0x${t.toString(16)}`] as never,
  });
}

/** Mines one empty block (a challenge reveal must come in a later block than its commit). */
export async function mineBlock(table: Pick<LocalTable, "public">): Promise<void> {
  await table.public.request({ method: "evm_mine" as never, params: [] as never });
}

/** Mines one empty block at timestamp `t` (which must be later than the latest block's). */
export async function mineAt(table: Pick<LocalTable, "public">, t: bigint): Promise<void> {
  await setNextTimestamp(table, t);
  await table.public.request({ method: "evm_mine" as never, params: [] as never });
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
  const exists = await table.public.readContract({
    address: table.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "exists",
    args: [id],
  });
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
  return event.args.jobId;
}

/** The provider commits `c` for the job; returns the commitment hash challenges name. */
export async function commitResult(
  table: LocalTable,
  jobId: bigint,
  c: { readonly outputRoot: Hex; readonly outputPacked: Uint8Array; readonly traceRoot: Hex },
): Promise<Hex> {
  const { receipt } = await send(
    table.provider,
    commitJob(table.addresses, { jobId, outputRoot: c.outputRoot, output: c.outputPacked, traceRoot: c.traceRoot }),
  );
  const [event] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobCommitted" });
  return event.args.commitmentHash;
}

export async function jobOf(table: Pick<LocalTable, "public" | "addresses">, jobId: bigint) {
  return table.public.readContract({
    address: table.addresses.jobManager,
    abi: jobManagerAbi,
    functionName: "jobOf",
    args: [jobId],
  });
}

export async function balanceOf(table: Pick<LocalTable, "public" | "addresses">, who: Address): Promise<bigint> {
  return table.public.readContract({
    address: table.addresses.token,
    abi: tokenAbi,
    functionName: "balanceOf",
    args: [who],
  });
}

export async function stakeOf(table: Pick<LocalTable, "public" | "addresses">, who: Address) {
  const [free, locked, unbonding] = await table.public.readContract({
    address: table.addresses.stakeManager,
    abi: stakeManagerAbi,
    functionName: "stakeOf",
    args: [who],
  });
  return { free, locked, unbonding };
}

// ------------------------------------------------------------------ referee

/** When a player sends its moves: as soon as it can, exactly at its deadline, or one second after. */
export type Timing = "prompt" | "at-deadline" | "late";

export interface ChallengerSeat {
  readonly client: RefuteClient;
  readonly id: bigint;
  readonly honest: HonestTraceData;
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
        seat.honest,
        seat.strategy ?? honestStrategy,
        options,
      );
      steps.push({ who: k, result: r });
      moved ||= r.sent.length > 0;
    }
    if (moved) continue;
    const dispute = await readDispute(table.provider, game.jobId);
    const job = await jobOf(table, game.jobId);
    if (dispute.open === 0 && (dispute.settled || !job.frozen)) return { steps };
    const t = await now(table);
    let next: bigint | undefined;
    for (const id of dispute.challenges) {
      const c = await readChallenge(table.provider, id);
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
  const dispute = await readDispute(table.provider, jobId);
  let d: bigint | undefined;
  for (const id of dispute.challenges) {
    const c = await readChallenge(table.provider, id);
    if (!isOpen(c.phase) || !isProviderTurn(c.phase)) continue;
    if (c.phase === Phase.AwaitRoots && dispute.rootsPostedAt !== 0n) continue;
    if (d === undefined || c.deadline < d) d = c.deadline;
  }
  return d;
}

/** The deadline of the challenger's pending move, if it is its turn. */
async function challengerDeadline(table: LocalTable, id: bigint): Promise<bigint | undefined> {
  const c = await readChallenge(table.provider, id);
  return isOpen(c.phase) && !isProviderTurn(c.phase) ? c.deadline : undefined;
}
