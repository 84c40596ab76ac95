import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Abi,
  type Address,
  type Hash,
  type TransactionReceipt,
} from "viem";
import { PROTOCOL_ABIS } from "../chain/enums.ts";
import type { RefuteClient } from "./contracts.ts";

/**
 * Every custom error of the protocol's contracts. A call to one contract can revert
 * with another's error (JobManager.commit bubbles StakeManager's InsufficientFreeStake),
 * which the called contract's ABI alone cannot decode.
 */
const PROTOCOL_ERRORS: Abi = (Object.values(PROTOCOL_ABIS) as readonly Abi[])
  .flat()
  .filter((item) => item.type === "error");

/** One contract call, built by the functions in calls.ts and sent by `send` or a transaction journal. */
export interface ContractCall {
  readonly address: Address;
  readonly abi: Abi;
  readonly functionName: string;
  readonly args: readonly unknown[];
}

/** A call that the node refused: carries the decoded custom error when there is one. */
export class CallRevertedError extends Error {
  override readonly name = "CallRevertedError";
  constructor(
    readonly call: ContractCall,
    readonly errorName: string | undefined,
    readonly errorArgs: readonly unknown[] | undefined,
    options: { cause: unknown },
  ) {
    super(
      `${call.functionName} reverted${errorName ? ` with ${errorName}(${(errorArgs ?? []).map(String).join(", ")})` : ""}`,
      options,
    );
  }
}

/** Decodes the custom error of a failed simulation or call, if the ABI knows it. */
export function revertOf(err: unknown): { name: string; args: readonly unknown[] } | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  if (revert.data?.errorName) return { name: revert.data.errorName, args: revert.data.args ?? [] };
  if (revert.raw === undefined || revert.raw.length < 10) return undefined;
  try {
    const d = decodeErrorResult({ abi: PROTOCOL_ERRORS, data: revert.raw });
    return { name: d.errorName, args: d.args ?? [] };
  } catch {
    return undefined;
  }
}

/**
 * Simulates, then sends and waits for the receipt. Simulation first means a call
 * that would revert is refused with its decoded error and costs no gas.
 */
export async function send(
  client: RefuteClient,
  call: ContractCall,
): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  try {
    await client.public.simulateContract({ ...call, account: client.wallet.account });
  } catch (err) {
    const r = revertOf(err);
    throw new CallRevertedError(call, r?.name, r?.args, { cause: err });
  }
  const hash = await client.wallet.writeContract({
    ...call,
    chain: client.wallet.chain,
    account: client.wallet.account,
  });
  const receipt = await client.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new CallRevertedError(call, undefined, undefined, { cause: receipt });
  return { hash, receipt };
}
