import { existsSync } from "node:fs";
import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  HttpRequestError,
  InsufficientFundsError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
  type Address,
} from "viem";
import { MissingArtifactError } from "../chain/artifacts.ts";
import { CallRevertedError } from "../client/send.ts";
import { DeploymentFileError } from "../deployments/load.ts";
import { ModelValidationError } from "../onnx/errors.ts";
import { StartupError } from "../service/runtime.ts";
import { ExecutionError, InputMismatchError } from "../trace/errors.ts";

/**
 * A problem with what the user passed or the environment they pointed the command at
 * (missing file, bad flag value, unreadable input, an RPC that does not answer, an
 * unfunded key): exit 2. The message names the problem and how to fix it.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const ExitCode = {
  OK: 0,
  /** onnxruntime or an internal failure on an accepted model. */
  FAILURE: 1,
  /** A bad model, a bad input, bad arguments or an environment that cannot work (RPC, funds, deployment, build). */
  REJECTED: 2,
} as const;

/** Longest line printed for an internal failure; `REFUTE_DEBUG=1` prints the whole error and its stack. */
const MAX_INTERNAL_LINE = 400;

/**
 * The one line printed for an error, and the exit code it maps to. Never a stack trace,
 * never a multi-line viem message: errors the user can fix exit 2, the rest exit 1.
 */
export function describeError(e: unknown): { line: string; exitCode: number } {
  const flat = (s: string) => s.replace(/\s+/g, " ").trim();
  const rejected = (code: string, message: string) => ({
    line: `refute: ${code}: ${flat(message)}`,
    exitCode: ExitCode.REJECTED,
  });
  if (
    e instanceof ModelValidationError ||
    e instanceof InputMismatchError ||
    e instanceof UsageError ||
    e instanceof StartupError
  ) {
    return rejected(e.code, e.message);
  }
  if (e instanceof DeploymentFileError) {
    return e.field === undefined && !existsSync(e.path)
      ? rejected(
          "NO_DEPLOYMENT",
          `${e.message}: pass --deployment <file> of an existing deployment, or deploy first (refute deploy --network <name>)`,
        )
      : rejected("BAD_DEPLOYMENT", `${e.message}: fix the file or deploy again (refute deploy --network <name>)`);
  }
  if (e instanceof MissingArtifactError) return rejected("NO_ARTIFACTS", e.message);
  const chain = chainUsageError(e);
  if (chain !== undefined) return rejected(chain.code, chain.message);
  if (e instanceof ExecutionError) return { line: `refute: ${e.code}: ${flat(e.message)}`, exitCode: ExitCode.FAILURE };
  // viem's `message` carries the request (calldata, bytecode): its short message is the problem.
  const message = e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : String(e);
  let line = `refute: INTERNAL: ${flat(message)}`;
  if (line.length > MAX_INTERNAL_LINE) line = `${line.slice(0, MAX_INTERNAL_LINE - 1)}…`;
  return { line, exitCode: ExitCode.FAILURE };
}

/** What a command knows about the chain it talks to, to name it in errors. */
export interface ChainScope {
  readonly rpcUrl?: string;
  readonly chainId?: number;
  /** The signing account, when the command signs. */
  readonly account?: Address;
  /** How to point the command at another RPC, e.g. "pass --rpc <url> of a running node". */
  readonly rpcFix?: string;
}

/** The first error in `e`'s cause chain (itself included) that is a `T`; viem's `walk()` for any error. */
function causeOf<T>(e: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let x = e, depth = 0; x !== undefined && x !== null && depth < 32; depth++) {
    if (x instanceof type) return x;
    x = (x as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why an RPC request failed at the transport, e.g. "connection refused"; undefined for answers (JSON-RPC errors). */
export function rpcFailure(e: unknown): string | undefined {
  const transport =
    causeOf(e, HttpRequestError) ??
    causeOf(e, TimeoutError) ??
    causeOf(e, WebSocketRequestError) ??
    causeOf(e, SocketClosedError);
  if (transport === undefined) return undefined;
  if (transport instanceof TimeoutError) return "timed out";
  if (transport instanceof HttpRequestError && transport.status !== undefined) return `HTTP ${transport.status}`;
  // Node's fetch fails with "fetch failed" whose cause (an Error or AggregateError) has the system code.
  const system = transport.walk((x) => typeof (x as { code?: unknown }).code === "string") as {
    code?: string;
  } | null;
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused: nothing is listening there",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host not found",
    ETIMEDOUT: "timed out",
    ECONNRESET: "connection reset",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
  };
  if (system?.code !== undefined) return known[system.code] ?? system.code;
  const innermost = transport.walk() as { message?: unknown } | null;
  return typeof innermost?.message === "string" ? innermost.message.split("\n")[0] : transport.shortMessage;
}

/**
 * The UsageError for a chain failure the user can fix — an unfunded signer, an RPC that
 * does not answer, no contract at a deployment's address, a call the contracts refuse —
 * classified by viem's error classes (anywhere in the cause chain); undefined for anything else.
 */
export function chainUsageError(e: unknown, scope: ChainScope = {}): UsageError | undefined {
  if (e instanceof UsageError) return e;
  const onChain = scope.chainId !== undefined ? ` on chain ${scope.chainId}` : "";
  const call = causeOf(e, ContractFunctionExecutionError);
  if (causeOf(e, InsufficientFundsError) !== undefined) {
    const account = scope.account ?? call?.sender;
    return new UsageError(
      "NO_FUNDS",
      `${account !== undefined ? `account ${account}` : "the signing account"} has too little ETH to pay for gas${onChain}: ` +
        `fund it (on a local chain: refute dev funds its accounts) or set REFUTE_PRIVATE_KEY to a funded key`,
    );
  }
  const failure = rpcFailure(e);
  if (failure !== undefined) {
    const url = scope.rpcUrl ?? causeOf(e, HttpRequestError)?.url ?? "the RPC";
    return new UsageError(
      "RPC_UNREACHABLE",
      `cannot reach ${url} (${failure}): ${scope.rpcFix ?? "start the node there, or point the command at one that runs"}`,
    );
  }
  if (causeOf(e, ContractFunctionZeroDataError) !== undefined) {
    const at = call?.contractAddress !== undefined ? ` at ${call.contractAddress}` : "";
    return new UsageError(
      "NO_CONTRACT",
      `no protocol contract${at}${onChain} (${call?.functionName ?? "a call"} returned no data): ` +
        `the deployment is not on this chain; pass the right --deployment or RPC`,
    );
  }
  const sent = causeOf(e, CallRevertedError);
  const reverted = causeOf(e, ContractFunctionRevertedError);
  if (sent !== undefined || reverted !== undefined) {
    const data = reverted?.data;
    const name = sent?.errorName ?? data?.errorName;
    const args = sent?.errorName !== undefined ? sent.errorArgs : data?.args;
    const why =
      name !== undefined
        ? `${name}(${(args ?? []).map(String).join(", ")})`
        : (reverted?.reason ?? reverted?.signature ?? "no reason");
    const fn = sent?.call.functionName ?? call?.functionName ?? "the call";
    return new UsageError(
      "REVERTED",
      `${fn}${onChain} reverted with ${why}: the contracts refuse it as given; ` +
        `check the arguments against the deployment's parameters and the chain's state`,
    );
  }
  return undefined;
}

/** Runs `work`; a chain failure the user can fix (chainUsageError) is rethrown as its UsageError. */
export async function withChainErrors<T>(scope: ChainScope, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw chainUsageError(e, scope) ?? e;
  }
}
