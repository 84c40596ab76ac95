/**
 * `requestJob`: one call from "I have a model and an input" to a job on-chain.
 * It does what a requester otherwise writes by hand, in the order that fails
 * cheapest: name the model (UnknownModelError before any gas is spent), read its
 * input spec from the registry and encode the input against it (the contract would
 * only say InputLengthMismatch), check the fee balance (InsufficientFeeBalanceError),
 * approve the JobManager for the fee only if the allowance is short, then request
 * and read the job id from the JobRequested event of the receipt (the return value
 * of a transaction is not observable).
 */
import {
  createPublicClient,
  custom,
  parseEventLogs,
  type Account,
  type Chain,
  type Hash,
  type Hex,
  type Transport,
  type WalletClient,
} from "viem";
import { jobManagerAbi } from "../chain/abis.ts";
import { readLatestTimestamp } from "../chain/read/block.ts";
import { readModel, readModelExists } from "../chain/read/registry.ts";
import { readAllowance, readBalance } from "../chain/read/token.ts";
import { readJobInput } from "../cli/jobInput.ts";
import { pack } from "../tensor/packing.ts";
import { Layout, packedByteLength, type TensorSpec } from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";
import { InputMismatchError } from "../trace/errors.ts";
import { approve, requestJob as requestCall } from "./calls.ts";
import type { RefuteClient } from "./contracts.ts";
import { InsufficientFeeBalanceError, UnknownModelError } from "./errors.ts";
import { resolveModelId } from "./model.ts";
import type { DeploymentRef } from "./result.ts";
import { send } from "./send.ts";

/** One token of 18 decimals: what the reference tools and the demo pay per job. */
export const DEFAULT_FEE = 10n ** 18n;
/** Providers have an hour to commit unless told otherwise. */
export const DEFAULT_COMMIT_WINDOW_SECONDS = 3600n;

export interface RequestJobParameters {
  readonly deployment: DeploymentRef;
  /** A registered modelId (0x + 64 hex), or the path of an ONNX file registered under the defaults (see model.ts). */
  readonly model: string;
  /**
   * The input: its packed bytes (docs/PROTOCOL.md §2), a Tensor, or the path of a file
   * in a format `refute model run --input` reads (.json, .bin, or an IDX image file with `index`).
   */
  readonly input: Uint8Array | Tensor | string;
  /** Image index when `input` is an IDX file (e.g. models/fmnist-mlp.eval-images.idx). */
  readonly index?: number;
  /** Fee in the token's base units, escrowed until the job resolves (default DEFAULT_FEE). */
  readonly fee?: bigint;
  /** Seconds from the latest block by which a provider must commit (default one hour). */
  readonly commitWindowSeconds?: bigint;
  /** Call `onRefuteResult` on the requester when the job resolves (a contract requester only). */
  readonly callback?: boolean;
}

export interface RequestJobReturnType {
  readonly jobId: bigint;
  readonly txHash: Hash;
  readonly modelId: Hex;
  /** The approval sent first, when the allowance was short of the fee. */
  readonly approvalTxHash?: Hash;
}

/** Requests a job as the wallet's account; resolves once the request is mined. */
export async function requestJob(
  walletClient: WalletClient<Transport, Chain, Account>,
  params: RequestJobParameters,
): Promise<RequestJobReturnType> {
  const a = params.deployment.addresses;
  const modelId = resolveModelId(params.model);
  const registry = { address: a.modelRegistry, modelId };
  if (!(await readModelExists(walletClient, registry))) throw new UnknownModelError(modelId, a.modelRegistry);
  const rawSpec = (await readModel(walletClient, registry)).input;
  const spec = { dtype: rawSpec.dtype, layout: rawSpec.layout, shape: [...rawSpec.shape] } as TensorSpec;
  const input = encodeInput(params, spec);

  const fee = params.fee ?? DEFAULT_FEE;
  const account = walletClient.account.address;
  const balance = await readBalance(walletClient, { address: a.token, owner: account });
  if (balance < fee) throw new InsufficientFeeBalanceError(account, a.token, balance, fee);

  // `send` (simulate, send, wait) needs a public client: one over the wallet's own transport.
  const client: RefuteClient = {
    public: createPublicClient({
      chain: walletClient.chain,
      transport: custom(walletClient),
      pollingInterval: walletClient.pollingInterval,
    }),
    wallet: walletClient,
    addresses: a,
  };
  let approvalTxHash: Hash | undefined;
  const allowance = await readAllowance(walletClient, { address: a.token, owner: account, spender: a.jobManager });
  // Approve exactly the fee, and only when short: never leave a standing allowance larger than asked for.
  if (fee > 0n && allowance < fee) approvalTxHash = (await send(client, approve(a, a.jobManager, fee))).hash;

  const now = await readLatestTimestamp(walletClient);
  const { hash, receipt } = await send(
    client,
    requestCall(a, {
      modelId,
      input,
      fee,
      commitDeadline: now + (params.commitWindowSeconds ?? DEFAULT_COMMIT_WINDOW_SECONDS),
      callback: params.callback,
    }),
  );
  const [event] = parseEventLogs({ abi: jobManagerAbi, logs: receipt.logs, eventName: "JobRequested" });
  if (event === undefined) throw new Error(`request ${hash} emitted no JobRequested event`);
  return { jobId: event.args.jobId, txHash: hash, modelId, ...(approvalTxHash ? { approvalTxHash } : {}) };
}

/** The packed input for `spec`, checked before it costs gas. */
function encodeInput(params: RequestJobParameters, spec: TensorSpec): Uint8Array {
  const { input } = params;
  if (typeof input === "string") return pack(readJobInput(input, spec, { index: params.index }));
  if (input instanceof Tensor && (input.spec.dtype !== spec.dtype || input.spec.shape.join() !== spec.shape.join()))
    throw new InputMismatchError(
      `the input tensor is dtype ${input.spec.dtype} [${input.spec.shape.join(",")}], the model's input is dtype ${spec.dtype} [${spec.shape.join(",")}]`,
    );
  const packed = input instanceof Tensor ? pack(input.withLayout(Layout.ROW_MAJOR)) : input;
  const need = packedByteLength(spec);
  if (packed.length !== need)
    throw new InputMismatchError(`the input has ${packed.length} packed bytes, the model's input needs ${need}`);
  return packed;
}
