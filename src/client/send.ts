import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeFunctionData,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from "viem";
import {
  jobManagerAbi,
  type disputeGameAbi,
  type modelRegistryAbi,
  type stakeManagerAbi,
  type tokenAbi,
} from "../chain/abis.ts";
import { isProtocolErrorName, PROTOCOL_ABIS, type ProtocolErrorName } from "../chain/enums.ts";
import { encodeCommit, encodeCommitBatch } from "./commitCalldata.ts";
import type { RefuteClient } from "./contracts.ts";

/**
 * Every custom error of the protocol's contracts. A call to one contract can revert
 * with another's error (JobManager.commit bubbles StakeManager's InsufficientFreeStake),
 * which the called contract's ABI alone cannot decode.
 */
const PROTOCOL_ERRORS: Abi = (Object.values(PROTOCOL_ABIS) as readonly Abi[])
  .flat()
  .filter((item) => item.type === "error");

/** What a transaction may call: the functions that are neither view nor pure. */
export type WriteMutability = "nonpayable" | "payable";

/** The ABIs a protocol transaction goes to (the one-step verifier is pure: nothing to send). */
export type ProtocolWriteAbi =
  typeof tokenAbi | typeof stakeManagerAbi | typeof modelRegistryAbi | typeof jobManagerAbi | typeof disputeGameAbi;

/**
 * One contract call, built by the functions in calls.ts and sent by `send` or the
 * transaction journal: its arguments are checked against the ABI of `functionName`.
 * `ContractCall<typeof tokenAbi, "approve">` is one function's call; `ContractCall`
 * alone is any call of a protocol contract (the union over every contract and
 * function), what a journal of many functions holds.
 */
export type ContractCall<
  abi extends Abi = ProtocolWriteAbi,
  functionName extends ContractFunctionName<abi, WriteMutability> = ContractFunctionName<abi, WriteMutability>,
> = abi extends Abi
  ? functionName extends ContractFunctionName<abi, WriteMutability>
    ? {
        readonly address: Address;
        readonly abi: abi;
        readonly functionName: functionName;
        readonly args: ContractFunctionArgs<abi, WriteMutability, functionName>;
        /** Gas limit; the node estimates it when absent. */
        readonly gas?: bigint;
      }
    : never
  : never;

/**
 * A call as viem's actions take it. viem checks a call's arguments against its ABI
 * where the ABI and the function name are literal types; across a union of calls
 * (ContractCall) its parameter types cannot be resolved, so a call meets viem
 * through the `Abi` type, which viem takes for any ABI. This is an assignment the
 * compiler checks, not a cast: only a call built against its ABI gets here.
 */
export function viemCall(call: ContractCall): ContractCall<Abi> {
  return call;
}

/**
 * The calldata of a call: what a signed transaction carries. A provider's commits,
 * encoded once per job it serves, take the direct encoder (commitCalldata.ts, the same
 * bytes); every other call goes through viem's.
 */
export function calldataOf(call: ContractCall): Hex {
  if (call.abi === jobManagerAbi) {
    if (call.functionName === "commit") return encodeCommit(...call.args);
    if (call.functionName === "commitBatch") return encodeCommitBatch(call.args[0]);
  }
  const { abi, functionName, args } = viemCall(call);
  return encodeFunctionData({ abi, functionName, args });
}

/** A call that the node refused: carries the decoded custom error when there is one. */
export class CallRevertedError extends Error {
  override readonly name = "CallRevertedError";
  constructor(
    readonly call: ContractCall,
    readonly errorName: ProtocolErrorName | undefined,
    readonly errorArgs: readonly unknown[] | undefined,
    options: { cause: unknown },
  ) {
    const why =
      errorName !== undefined
        ? ` with ${errorName}(${(errorArgs ?? []).map(String).join(", ")})`
        : otherRevert(options.cause);
    super(`${call.functionName} reverted${why}`, options);
  }
}

/** A revert that is no protocol error (a `require` message, a panic), as the node reported it. */
function otherRevert(cause: unknown): string {
  if (!(cause instanceof BaseError)) return "";
  const revert = cause.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return "";
  const what = revert.reason ?? revert.data?.errorName ?? revert.signature;
  return what === undefined ? "" : ` (${what})`;
}

/** A decoded custom error of the protocol's contracts. */
export interface ProtocolRevert {
  readonly name: ProtocolErrorName;
  readonly args: readonly unknown[];
}

/**
 * The protocol's custom error a failed simulation or call reverted with, if it is
 * one (a `require` string or a panic is not: undefined, the cause keeps it).
 */
export function revertOf(err: unknown): ProtocolRevert | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  const decoded = revert.data?.errorName !== undefined ? revert.data : decodeRaw(revert.raw);
  if (decoded === undefined || !isProtocolErrorName(decoded.errorName)) return undefined;
  return { name: decoded.errorName, args: decoded.args ?? [] };
}

/** Decodes revert data with every protocol error (the called contract's ABI may not have it). */
function decodeRaw(raw: `0x${string}` | undefined): { errorName: string; args?: readonly unknown[] } | undefined {
  if (raw === undefined || raw.length < 10) return undefined;
  try {
    return decodeErrorResult({ abi: PROTOCOL_ERRORS, data: raw });
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
  const request = viemCall(call);
  try {
    await client.public.simulateContract({ ...request, account: client.wallet.account });
  } catch (err) {
    const r = revertOf(err);
    throw new CallRevertedError(call, r?.name, r?.args, { cause: err });
  }
  const hash = await client.wallet.writeContract({
    ...request,
    chain: client.wallet.chain,
    account: client.wallet.account,
  });
  const receipt = await client.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new CallRevertedError(call, undefined, undefined, { cause: receipt });
  return { hash, receipt };
}
