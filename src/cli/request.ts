/**
 * `refute request --model <id|file> --input <file> [--index N] [--wait]`: requests a
 * job through the requester's client (src/client/index.ts) and prints its id and
 * transaction; with --wait, waits until the job is Finalized and prints the decoded
 * output. The network, key and deployment are found as `refute model register`
 * finds them (src/cli/network.ts); `--rpc <url>` with `--deployment <file>` names a
 * node directly.
 */
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import type { Hex } from "viem";
import {
  InsufficientFeeBalanceError,
  JobFailedError,
  UnknownJobError,
  UnknownModelError,
  WaitTimeoutError,
} from "../client/errors.ts";
import { isModelId, modelIdOfFile } from "../client/model.ts";
import { requestJob, DEFAULT_FEE } from "../client/request.ts";
import { waitForResult } from "../client/wait.ts";
import { deploymentPath, loadDeployment } from "../deployments/load.ts";
import type { CommandContext } from "./context.ts";
import { ExitCode, UsageError } from "./errors.ts";
import { specText, toJson } from "./format.ts";
import { withModelParamFlags } from "./inspect.ts";
import { unsignedFlag, type ModelParamFlags } from "./modelParams.ts";
import {
  checkNetworkName,
  connectSigner,
  expectDeploymentChain,
  loadEnvFile,
  rpcUrlFor,
  signingKey,
} from "./network.ts";

interface RequestFlags extends ModelParamFlags {
  readonly model: string;
  readonly input: string;
  readonly index?: number;
  readonly fee?: bigint;
  readonly wait?: boolean;
  readonly timeout?: number;
  readonly network?: string;
  readonly rpc?: string;
  readonly deployment?: string;
  readonly json?: boolean;
}

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `refute request`. */
export function requestCommand({ io, setExit }: CommandContext): Command {
  const command = new Command("request")
    .description(
      "request a job: print its id and transaction; with --wait, wait until it is final and print the output " +
        "(key from REFUTE_PRIVATE_KEY or Hardhat's keystore; .env is read)",
    )
    .requiredOption(
      "--model <id|file>",
      "registered modelId (0x…), or an ONNX file (its id as `refute model register` computes it)",
    )
    .requiredOption(
      "--input <file>",
      'input: .json {"data": [...]}, .bin packed bytes, or an IDX image file with --index',
    )
    .option("--index <n>", "image index in an IDX input file", nonNegativeInt)
    .option("--fee <amount>", `fee in token base units (default ${DEFAULT_FEE})`, unsignedFlag(128))
    .option("--wait", "wait until the job is Finalized and print its output")
    .option("--timeout <seconds>", "with --wait: give up after this long (default 3600)", nonNegativeInt)
    .option(
      "--network <name>",
      "network (RPC from REFUTE_RPC_URL_<NETWORK> or REFUTE_RPC_URL; deployment deployments/<network>.json)",
    )
    .option("--rpc <url>", "RPC URL (overrides the network's; needs --deployment without --network)")
    .option("--deployment <file>", "deployment file (default deployments/<network>.json)")
    .option("--json", "print one JSON object");
  // A model file names a model only with its registration's URI and parameters: the same flags as `refute model register`.
  return withModelParamFlags(command).action(async (flags: RequestFlags) => {
    loadEnvFile();
    const network = flags.network !== undefined ? checkNetworkName(flags.network) : undefined;
    if (network === undefined && flags.rpc === undefined)
      throw new UsageError("NO_NETWORK", "pass --network <name>, or --rpc <url> with --deployment <file>");
    if (network === undefined && flags.deployment === undefined)
      throw new UsageError("NO_DEPLOYMENT", "--rpc needs --deployment <file> (or pass --network <name>)");
    const deployment = loadDeployment(
      flags.deployment !== undefined ? resolve(flags.deployment) : deploymentPath(network!),
    );
    const modelId: Hex = isModelId(flags.model)
      ? flags.model
      : modelIdOfFile(flags.model, {
          uri: flags.uri,
          params: {
            challengeWindow: flags.challengeWindow,
            responseWindow: flags.responseWindow,
            collateralPerJob: flags.collateral,
            challengerBond: flags.bond,
          },
        });
    const rpcUrl = flags.rpc ?? rpcUrlFor(network!);
    const signer = await connectSigner(rpcUrl, await signingKey(), network ?? "custom");
    expectDeploymentChain(signer, deployment, flags.rpc === undefined ? network : undefined);

    let requested;
    try {
      requested = await requestJob(signer.wallet, {
        deployment,
        model: modelId,
        input: flags.input,
        index: flags.index,
        fee: flags.fee,
      });
    } catch (e) {
      if (e instanceof UnknownModelError)
        throw new UsageError(
          "UNKNOWN_MODEL",
          `${e.message}: register it first (refute model register <file>) or check --model and the deployment`,
        );
      if (e instanceof InsufficientFeeBalanceError)
        throw new UsageError("INSUFFICIENT_FEE_BALANCE", `${e.message}: fund the account or lower --fee`);
      throw e;
    }
    const { jobId, txHash } = requested;
    if (flags.json !== true) io.stdout(`jobId   ${jobId}\ntxHash  ${txHash}\n`);
    if (flags.wait !== true) {
      if (flags.json === true) io.stdout(`${toJson({ jobId, txHash, modelId })}\n`);
      setExit(ExitCode.OK);
      return;
    }

    if (flags.json !== true) io.stderr(`refute: waiting for job ${jobId} to be finalized\n`);
    try {
      const output = await waitForResult(signer.public, {
        deployment,
        jobId,
        timeoutMs: (flags.timeout ?? 3600) * 1000,
      });
      const values = output.values.map(String);
      if (flags.json === true) {
        io.stdout(
          `${toJson({ jobId, txHash, modelId, status: "Finalized", output: { spec: specText(output.spec), packed: output.packed, values } })}\n`,
        );
      } else {
        io.stdout(`status  Finalized\noutput  ${specText(output.spec)} = [${values.join(", ")}]\n`);
      }
      setExit(ExitCode.OK);
    } catch (e) {
      // The job exists and was requested: its failing to finalize is a runtime outcome (exit 1), not a usage error.
      if (e instanceof JobFailedError || e instanceof WaitTimeoutError || e instanceof UnknownJobError) {
        const code =
          e instanceof JobFailedError
            ? `JOB_${e.status.toUpperCase()}`
            : e instanceof WaitTimeoutError
              ? "WAIT_TIMEOUT"
              : "UNKNOWN_JOB";
        if (flags.json === true)
          io.stdout(`${toJson({ jobId, txHash, modelId, error: { name: e.name, message: e.message } })}\n`);
        io.stderr(`refute: ${code}: ${e.message}\n`);
        setExit(ExitCode.FAILURE);
        return;
      }
      throw e;
    }
  });
}
