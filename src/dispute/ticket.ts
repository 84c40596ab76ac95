/**
 * The commit–reveal of a challenge (docs/PROTOCOL.md §9.1). The ticket is what
 * the challenger keeps secret between the two transactions: the commitment hides
 * the job, so a watcher's intent cannot be copied from the mempool.
 */
import { encodeAbiParameters, keccak256, parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";
import { disputeGameAbi } from "../chain/abis.ts";
import { readModel } from "../chain/read/registry.ts";
import { readAllowance } from "../chain/read/token.ts";
import { approve, commitChallenge, revealChallenge } from "../client/calls.ts";
import type { RefuteClient } from "../client/contracts.ts";
import { send } from "../client/send.ts";

export interface ChallengeTicket {
  readonly jobId: bigint;
  /**
   * The job's model: named in the clear at commit (the game pulls that model's bond then,
   * and refuses a reveal of a job of another model with ModelMismatch).
   */
  readonly modelId: Hex;
  /** The job commitment disputed (JobCommitted's commitmentHash, or jobOf(jobId).commitmentHash). */
  readonly commitmentHash: Hex;
  readonly challenger: Address;
  readonly salt: Hex;
}

/** commitment = keccak256(abi.encode(uint256 jobId, bytes32 commitmentHash, address challenger, bytes32 salt)). */
export function challengeCommitment(t: ChallengeTicket): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "bytes32" }, { type: "address" }, { type: "bytes32" }],
      [t.jobId, t.commitmentHash, t.challenger, t.salt],
    ),
  );
}

/**
 * Approves the DisputeGame for the model's challenger bond when the allowance falls short:
 * the game pulls the bond at commit (docs/PROTOCOL.md §9.1).
 */
export async function ensureBondAllowance(client: RefuteClient, modelId: Hex): Promise<void> {
  const a = client.addresses;
  const owner = client.wallet.account.address;
  const [model, allowance] = await Promise.all([
    readModel(client.public, { address: a.modelRegistry, modelId }),
    readAllowance(client.public, { address: a.token, owner, spender: a.disputeGame }),
  ]);
  if (allowance < model.params.challengerBond) {
    await send(client, approve(a, a.disputeGame, model.params.challengerBond));
  }
}

/**
 * Sends the commit (approving the bond first if needed); returns the challenge id (commit
 * order) from the ChallengeCommitted event. Reveal within the game's `revealWindow()` blocks.
 */
export async function commitTicket(
  client: RefuteClient,
  ticket: ChallengeTicket,
): Promise<{ id: bigint; receipt: TransactionReceipt }> {
  await ensureBondAllowance(client, ticket.modelId);
  const { receipt } = await send(
    client,
    commitChallenge(client.addresses, ticket.modelId, challengeCommitment(ticket)),
  );
  const [event] = parseEventLogs({ abi: disputeGameAbi, logs: receipt.logs, eventName: "ChallengeCommitted" });
  if (!event) throw new Error(`commitChallenge emitted no ChallengeCommitted (tx ${receipt.transactionHash})`);
  return { id: event.args.id, receipt };
}

/**
 * Sends the reveal (the bond was pulled at commit). The reveal must be mined in a later block than the
 * commit, and `send` simulates against the latest block: call this once a block after
 * the commit's exists (on a local node with automine, mine one).
 */
export async function revealTicket(
  client: RefuteClient,
  id: bigint,
  ticket: ChallengeTicket,
): Promise<TransactionReceipt> {
  const { receipt } = await send(
    client,
    revealChallenge(client.addresses, id, ticket.jobId, ticket.commitmentHash, ticket.salt),
  );
  return receipt;
}
