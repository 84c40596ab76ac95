/**
 * Typed reads of protocol state at one block hash (see readAt.ts), and the
 * contracts' enums (src/chain/enums.ts) re-exported for its callers.
 */
import type { Address, Hex, PublicClient } from "viem";
import { challengeState, type ChallengeState, type DisputeState, type RawChallenge } from "../dispute/state.ts";
import { disputeGameAbi, jobManagerAbi, modelRegistryAbi, stakeManagerAbi, tokenAbi } from "../chain/abis.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import { readAt } from "./readAt.ts";
import type { RegisteredModel } from "./registration.ts";

export { JobStatus, Outcome, Phase, phaseName, reasonName } from "../chain/enums.ts";

export interface JobRecord {
  readonly requester: Address;
  readonly commitDeadline: bigint;
  readonly status: number;
  readonly frozen: boolean;
  readonly modelId: Hex;
  readonly inputRoot: Hex;
  readonly fee: bigint;
  readonly collateral: bigint;
  readonly provider: Address;
  readonly windowEnd: bigint;
  readonly outputRoot: Hex;
  readonly traceRoot: Hex;
  readonly commitmentHash: Hex;
}

export class ProtocolReader {
  constructor(
    private readonly client: PublicClient,
    readonly addresses: ProtocolAddresses,
  ) {}

  async jobOf(jobId: bigint, at: Hex): Promise<JobRecord> {
    const j = await readAt(this.client, at, {
      address: this.addresses.jobManager,
      abi: jobManagerAbi,
      functionName: "jobOf",
      args: [jobId],
    });
    return j as unknown as JobRecord;
  }

  async disputeOf(jobId: bigint, at: Hex): Promise<DisputeState> {
    const d = await readAt(this.client, at, {
      address: this.addresses.disputeGame,
      abi: disputeGameAbi,
      functionName: "disputeOf",
      args: [jobId],
    });
    const r = d as unknown as DisputeState;
    return { ...r, challenges: [...r.challenges] };
  }

  /** The challenge with its phase resolved against the job (AwaitRoots → AwaitNode once roots are posted) and its current deadline. */
  async challengeOf(id: bigint, at: Hex): Promise<ChallengeState & { readonly commitment: Hex }> {
    const [c, deadline] = await Promise.all([
      readAt(this.client, at, {
        address: this.addresses.disputeGame,
        abi: disputeGameAbi,
        functionName: "challengeOf",
        args: [id],
      }),
      readAt(this.client, at, {
        address: this.addresses.disputeGame,
        abi: disputeGameAbi,
        functionName: "deadlineOf",
        args: [id],
      }),
    ]);
    const raw = c as unknown as RawChallenge & { commitment: Hex };
    return { ...challengeState(id, raw, BigInt(deadline as bigint)), commitment: raw.commitment };
  }

  async model(modelId: Hex, at: Hex): Promise<RegisteredModel> {
    const m = await readAt(this.client, at, {
      address: this.addresses.modelRegistry,
      abi: modelRegistryAbi,
      functionName: "model",
      args: [modelId],
    });
    return m as unknown as RegisteredModel;
  }

  async stakeOf(provider: Address, at: Hex): Promise<{ free: bigint; locked: bigint; unbonding: bigint }> {
    const [free, locked, unbonding] = (await readAt(this.client, at, {
      address: this.addresses.stakeManager,
      abi: stakeManagerAbi,
      functionName: "stakeOf",
      args: [provider],
    })) as readonly [bigint, bigint, bigint, bigint];
    return { free, locked, unbonding };
  }

  async balanceOf(owner: Address, at: Hex): Promise<bigint> {
    return (await readAt(this.client, at, {
      address: this.addresses.token,
      abi: tokenAbi,
      functionName: "balanceOf",
      args: [owner],
    })) as bigint;
  }

  async allowance(owner: Address, spender: Address, at: Hex): Promise<bigint> {
    return (await readAt(this.client, at, {
      address: this.addresses.token,
      abi: tokenAbi,
      functionName: "allowance",
      args: [owner, spender],
    })) as bigint;
  }
}
