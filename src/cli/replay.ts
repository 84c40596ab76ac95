/**
 * `refute replay <jobId> --rpc <url>`: an auditor's replay of a job and its dispute
 * from chain data alone (src/replay/replay.ts). Exit code 0 when the chain agrees with
 * the replay (or has not decided yet), 3 when it reached another verdict or a move
 * fails a rule re-check; 1 and 2 as for every command (2 for a job id the deployment
 * does not have).
 */
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { readJobCount } from "../chain/read/jobs.ts";
import { loadDeployment, deploymentPath, type DeploymentFile } from "../deployments/load.ts";
import { renderReplay } from "../replay/render.ts";
import type { CommandContext } from "./context.ts";
import { ExitCode, UsageError } from "./errors.ts";
import { toJson } from "./format.ts";
import { connectReader, onNetwork } from "./network.ts";

/** Exit code when the chain's verdict differs from the replay's, or a move fails a rule re-check. */
export const REPLAY_DISAGREES = 3;

interface ReplayFlags {
  readonly rpc: string;
  readonly deployment?: string;
  readonly model?: string;
  readonly traceUrl?: string;
  readonly fromBlock?: bigint;
  readonly json?: boolean;
}

function jobIdArg(value: string): bigint {
  if (!/^\d{1,78}$/.test(value) || BigInt(value) === 0n)
    throw new InvalidArgumentError(`expected a job id ≥ 1, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

function blockFlag(value: string): bigint {
  if (!/^\d{1,20}$/.test(value))
    throw new InvalidArgumentError(`expected a block number, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

/**
 * The deployment to replay against: the given file, or else the only file under
 * deployments/ whose chainId is the RPC's.
 */
export function findDeployment(chainId: number, file?: string, dir = dirname(deploymentPath("x"))): DeploymentFile {
  if (file !== undefined) {
    const d = loadDeployment(resolve(file));
    if (d.chainId !== chainId)
      throw new UsageError(
        "WRONG_CHAIN",
        `${file} is on chain ${d.chainId}, the RPC is chain ${chainId}: ` +
          `pass --rpc of a chain ${d.chainId} node, or --deployment <file> of chain ${chainId}`,
      );
    return d;
  }
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch {
    // No deployments folder: same as no match.
  }
  const matches = names.flatMap((n) => {
    try {
      const d = loadDeployment(join(dir, n));
      return d.chainId === chainId ? [d] : [];
    } catch {
      return [];
    }
  });
  const [only, ...others] = matches;
  if (only !== undefined && others.length === 0) return only;
  throw new UsageError(
    "NO_DEPLOYMENT",
    matches.length === 0
      ? `no deployment of chain ${chainId} under ${dir}: pass --deployment <file>`
      : `${matches.length} deployments of chain ${chainId} under ${dir}: pass --deployment <file>`,
  );
}

/** `refute replay`. */
export function replayCommand({ io, setExit }: CommandContext): Command {
  return new Command("replay")
    .description(
      "replay a job and its dispute from chain data: re-execute the model, re-check every move, " +
        "give a verdict and say whether the chain reached the same one",
    )
    .argument("<jobId>", "the job", jobIdArg)
    .requiredOption("--rpc <url>", "JSON-RPC endpoint of the chain")
    .option("--deployment <file>", "deployment file (default: the one under deployments/ with the RPC's chain id)")
    .option(
      "--model <file>",
      "the model file (default: fetched from the registered URI; file:// and http(s) supported)",
    )
    .option(
      "--trace-url <url>",
      "the provider's trace server, e.g. http://127.0.0.1:7311 (compares its served trace too)",
    )
    .option("--from-block <n>", "first block to search (default: the deployment block)", blockFlag)
    .option("--json", "print JSON: { jobId, status, steps, verdict, chainVerdict, agrees, … }")
    .action(async (jobId: bigint, flags: ReplayFlags) => {
      const reader = await connectReader(flags.rpc, "custom", "start the node, or pass --rpc <url> of one that runs");
      const deployment = findDeployment(reader.chainId, flags.deployment);
      const fromBlock = flags.fromBlock ?? deployment.deployBlock;
      const report = await onNetwork(reader, async () => {
        const jobCount = await readJobCount(reader.public, { address: deployment.addresses.jobManager });
        if (jobId > jobCount)
          throw new UsageError(
            "UNKNOWN_JOB",
            `job ${jobId} does not exist on chain ${reader.chainId}: the JobManager at ${deployment.addresses.jobManager} ` +
              (jobCount === 0n
                ? "has no jobs yet; check --rpc and --deployment"
                : `has jobs 1 to ${jobCount}; pass one of those, or the --deployment the job was requested on`),
          );
        // onnxruntime loads only when a replay runs.
        const { replayJob } = await import("../replay/replay.ts");
        return replayJob({
          client: reader.public,
          addresses: deployment.addresses,
          jobId,
          fromBlock,
          modelFile: flags.model,
          traceUrl: flags.traceUrl,
        });
      });
      if (report.status === "Unknown")
        throw new UsageError(
          "NO_EVENTS",
          `no JobRequested event for job ${jobId} from block ${fromBlock} on: pass an earlier --from-block ` +
            `(the job's request block or the deployment's)`,
        );
      io.stdout(flags.json === true ? `${toJson(report)}\n` : renderReplay(report));
      setExit(report.agrees === false || report.ruleViolations > 0 ? REPLAY_DISAGREES : ExitCode.OK);
    });
}
