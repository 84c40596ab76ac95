/**
 * Dispute players, solver style: each step reads the chain, asks the pure
 * solver (solver.ts) for the moves available now and sends them. A step is
 * idempotent: calling it again when nothing changed sends nothing. Used by the
 * tests and by the provider and watcher daemons.
 *
 *     for (;;) {
 *       await playProvider(provider, jobId, commitment);
 *       await playChallenger(watcher, challengeId, compiled, trace);
 *     }
 */
import { BaseError, ContractFunctionRevertedError, type TransactionReceipt } from "viem";
import { readLatestTimestamp } from "../chain/read/block.ts";
import { readChallenge, readDispute } from "../chain/read/dispute.ts";
import { readRevealed, type ReadCache } from "../chain/read/reveals.ts";
import {
  chooseChild,
  postRoots,
  proveStep,
  revealChildren,
  revealWhole,
  selectElement,
  selectNode,
  settleDispute,
  moot,
  timeoutChallenge,
} from "../client/calls.ts";
import type { ProtocolAddresses, RefuteClient } from "../client/contracts.ts";
import { CallRevertedError, send, viemCall, type ContractCall } from "../client/send.ts";
import type { CompiledModel } from "../onnx/compile.ts";
import type { HonestTraceData } from "../proof/dispute.ts";
import { challengerMove, providerMoves, type ChallengerData, type Move, type ProviderData } from "./solver.ts";
import { honestStrategy, type ChallengerStrategy } from "./strategy.ts";

export interface PlayOptions {
  /** First block to search the provider's reveals from (the deployment block; 0 when omitted). */
  readonly fromBlock?: bigint;
  /** Keeps the reveals that never change (posted roots, whole reveals) across steps. */
  readonly cache?: ReadCache;
  /** Called once per move sent or refused. */
  readonly log?: (line: string) => void;
}

export interface SentMove {
  readonly move: Move;
  readonly receipt: TransactionReceipt;
}

export interface RefusedMove {
  readonly move: Move;
  readonly error: CallRevertedError;
}

/** What one step did: the moves mined, and those the chain refused (decoded error attached). */
export interface StepResult {
  readonly sent: readonly SentMove[];
  readonly refused: readonly RefusedMove[];
}

/** The transaction of a move. */
export function callOf(a: ProtocolAddresses, move: Move): ContractCall {
  switch (move.kind) {
    case "postRoots":
      return postRoots(a, move.jobId, move.nodeRoots);
    case "selectNode":
      return selectNode(a, move.id, move.nodeIndex, move.node, move.descriptorProof, move.nodeRoots);
    case "selectElement":
      return selectElement(a, move.id, move.nodeIndex, move.node, move.descriptorProof, move.nodeRoots, move.opening);
    case "revealWhole":
      return revealWhole(a, move.id, move.output, move.words);
    case "revealChildren":
      return revealChildren(a, move.id, move.output, move.dataRoot, move.children);
    case "chooseChild":
      return chooseChild(a, move.id, move.children, move.index);
    case "proveStep":
      return proveStep(a, move.id, move.proof);
    case "timeout":
      return timeoutChallenge(a, move.id);
    case "moot":
      return moot(a, move.id);
    case "settle":
      return settleDispute(a, move.jobId);
  }
}

/** Sends moves in order; a refused move is reported, not thrown, and does not stop the others. */
export async function sendMoves(
  client: RefuteClient,
  moves: readonly Move[],
  options: PlayOptions = {},
): Promise<StepResult> {
  const sent: SentMove[] = [];
  const refused: RefusedMove[] = [];
  for (const move of moves) {
    try {
      const { receipt } = await send(client, await withGasHeadroom(client, callOf(client.addresses, move)));
      sent.push({ move, receipt });
      options.log?.(`${move.kind} ${describe(move)} mined (gas ${receipt.gasUsed})`);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      refused.push({ move, error: err });
      options.log?.(`${move.kind} ${describe(move)} refused: ${err.errorName ?? err.message}`);
    }
  }
  return { sent, refused };
}

/**
 * One provider step for one job: posts the roots, answers every open challenge's
 * reveal request from `commitment`, claims the challengers' missed deadlines and
 * releases the job after the grace period.
 */
export async function playProvider(
  client: RefuteClient,
  jobId: bigint,
  commitment: ProviderData,
  options: PlayOptions = {},
): Promise<StepResult> {
  const game = client.addresses.disputeGame;
  const [now, dispute] = await Promise.all([
    readLatestTimestamp(client.public),
    readDispute(client.public, { address: game, jobId }),
  ]);
  const challenges = await Promise.all(
    dispute.challenges.map((id) => readChallenge(client.public, { address: game, id })),
  );
  return sendMoves(client, providerMoves({ now, jobId, dispute, challenges }, commitment), options);
}

/**
 * One challenger step in its challenge: reads what the provider revealed and
 * plays the strategy's answer (the honest one by default), or claims the
 * provider's missed deadline.
 */
export async function playChallenger(
  client: RefuteClient,
  challengeId: bigint,
  compiled: CompiledModel,
  evidence: HonestTraceData | Omit<ChallengerData, "compiled">,
  strategy: ChallengerStrategy = honestStrategy,
  options: PlayOptions = {},
): Promise<StepResult> {
  // An integer challenger proves from its own trace; a float32 one from the provider's trace and the element its checker found.
  const data: ChallengerData = "honest" in evidence ? { compiled, ...evidence } : { compiled, honest: evidence };
  const game = client.addresses.disputeGame;
  const [now, challenge] = await Promise.all([
    readLatestTimestamp(client.public),
    readChallenge(client.public, { address: game, id: challengeId }),
  ]);
  const revealed = await readRevealed(client.public, {
    address: game,
    challenge,
    fromBlock: options.fromBlock,
    cache: options.cache,
  });
  const move = challengerMove({ now, challenge, ...revealed }, data, strategy);
  return sendMoves(client, move ? [move] : [], options);
}

/**
 * The call with a gas limit above the node's estimate. The estimate runs against the
 * latest block, but the move executes in the next one, with a later timestamp: a move
 * that rewrites a deadline (`now + R`) finds it unchanged in the estimate when the last
 * move was in the same second, so the estimate misses the SSTORE's cost and the mined
 * transaction runs out of gas. When the estimate itself fails, the call goes out as is
 * and `send`'s simulation reports the decoded refusal.
 */
export async function withGasHeadroom(client: RefuteClient, call: ContractCall): Promise<ContractCall> {
  let estimate: bigint;
  try {
    estimate = await client.public.estimateContractGas({ ...viemCall(call), account: client.wallet.account });
  } catch {
    return call;
  }
  return { ...call, gas: estimate + estimate / 5n + 20_000n };
}

/**
 * Whether `send` failed because the chain refused the move (a revert in simulation, or a
 * mined transaction that reverted), as opposed to a transport failure, which is rethrown.
 */
export function isRefusal(err: unknown): err is CallRevertedError {
  if (!(err instanceof CallRevertedError)) return false;
  if (err.errorName !== undefined) return true;
  const cause = err.cause;
  if (typeof cause === "object" && cause !== null && "status" in cause) return true;
  return cause instanceof BaseError && cause.walk((e) => e instanceof ContractFunctionRevertedError) !== null;
}

function describe(move: Move): string {
  switch (move.kind) {
    case "postRoots":
    case "settle":
      return `job ${move.jobId}`;
    case "selectNode":
      return `challenge ${move.id} node ${move.nodeIndex}`;
    case "selectElement":
      return `challenge ${move.id} node ${move.nodeIndex} word ${move.opening.wordIndex}`;
    case "chooseChild":
      return `challenge ${move.id} child ${move.index}`;
    case "proveStep":
      return `challenge ${move.id} element ${move.proof.outIndex}`;
    default:
      return `challenge ${move.id}`;
  }
}
