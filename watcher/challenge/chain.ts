/**
 * The responder's chain port over the RPC: protocol state read at one block hash,
 * and the provider's reveals from the dispute game's events, through the one chain
 * layer (src/chain/read/). Every chain access of the responder is here.
 */
import type { Hex, PublicClient } from "viem";
import { readChallenge, readDispute, readRevealWindow } from "../../src/chain/read/dispute.ts";
import { readJob } from "../../src/chain/read/jobs.ts";
import { readModel } from "../../src/chain/read/registry.ts";
import { readChildren, readPostedRoots, readWholeReveal } from "../../src/chain/read/reveals.ts";
import type { ProtocolAddresses } from "../../src/client/contracts.ts";
import type { ChainChallenge, ChainDispute, ChainJob, ChallengeChain } from "./ports.ts";

export class RpcChallengeChain implements ChallengeChain {
  private window?: Promise<bigint>;

  constructor(
    private readonly client: PublicClient,
    readonly addresses: ProtocolAddresses,
  ) {}

  job(jobId: bigint, at: Hex): Promise<ChainJob> {
    return readJob(this.client, { address: this.addresses.jobManager, jobId, blockHash: at });
  }

  challenge(id: bigint, at: Hex): Promise<ChainChallenge> {
    return readChallenge(this.client, { address: this.addresses.disputeGame, id, blockHash: at });
  }

  dispute(jobId: bigint, at: Hex): Promise<ChainDispute> {
    return readDispute(this.client, { address: this.addresses.disputeGame, jobId, blockHash: at });
  }

  /** Read once: the game's reveal window is immutable. */
  revealWindow(): Promise<bigint> {
    this.window ??= readRevealWindow(this.client, { address: this.addresses.disputeGame }).catch((err: unknown) => {
      this.window = undefined;
      throw err;
    });
    return this.window;
  }

  async modelFileHash(modelId: Hex, at: Hex): Promise<Hex> {
    return (await readModel(this.client, { address: this.addresses.modelRegistry, modelId, blockHash: at })).fileHash;
  }

  postedRoots(jobId: bigint, fromBlock: bigint): Promise<readonly Hex[] | undefined> {
    return readPostedRoots(this.client, { address: this.addresses.disputeGame, jobId, fromBlock });
  }

  wholeReveal(id: bigint, fromBlock: bigint): Promise<readonly Hex[] | undefined> {
    return readWholeReveal(this.client, { address: this.addresses.disputeGame, id, fromBlock });
  }

  revealedChildren(id: bigint, level: number, index: number, fromBlock: bigint): Promise<readonly Hex[] | undefined> {
    return readChildren(this.client, { address: this.addresses.disputeGame, id, level, index, fromBlock });
  }
}
