/**
 * `refute deploy --network <name>`: deploys and wires the protocol (src/chain/deploy.ts)
 * on the network's RPC with `REFUTE_PRIVATE_KEY` or Hardhat's keystore (src/cli/network.ts), then writes
 * `deployments/<network>.json` in the format src/deployments/load.ts reads:
 *
 *     { network, chainId, addresses: { token, stakeManager, modelRegistry, jobManager,
 *       oneStepVerifier, disputeGame }, deployBlock, parameters: {...}, gitCommit, deployedAt }
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { getAddress, isAddress, type Address } from "viem";
import { DEFAULT_PROTOCOL_PARAMETERS, deployProtocol, type ProtocolParameters } from "../chain/deploy.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import { deploymentPath, loadDeployment, saveDeployment, type DeploymentFile } from "../deployments/load.ts";
import type { CommandContext } from "./context.ts";
import { ExitCode } from "./errors.ts";
import { unsignedFlag } from "./modelParams.ts";
import {
  checkNetworkName,
  connectSigner,
  loadEnvFile,
  networkRpcFix,
  onNetwork,
  signingKey,
  rpcUrlFor,
  type NetworkSigner,
} from "./network.ts";

/** What `deployments/<network>.json` holds, as written by the deploy command. */
export interface DeploymentRecord {
  readonly network: string;
  readonly chainId: number;
  readonly addresses: ProtocolAddresses;
  readonly deployBlock: bigint;
  readonly parameters: DeployedParameters;
  /** The checkout's commit, `null` when it has none (with `-dirty` when it has local changes). */
  readonly gitCommit: string | null;
  /** ISO-8601 time of the deployment. */
  readonly deployedAt: string;
}

/** The protocol-wide parameters as deployed (seconds, gas), and who deployed. */
export interface DeployedParameters {
  readonly unbondingDelay: number;
  readonly maxChallengeWindow: number;
  /** The shortest response window a model may register (StakeManager.minResponseWindow). */
  readonly minResponseWindow: number;
  readonly maxResponseWindow: number;
  readonly callbackGasLimit: number;
  /** Blocks within which a challenge commitment must be revealed (DisputeGame.revealWindow). */
  readonly revealWindow: number;
  readonly treasury: Address;
  readonly deployer: Address;
  /** Whether `token` is a freshly deployed, freely mintable TestToken. */
  readonly testToken: boolean;
}

export interface DeployToNetworkParameters {
  readonly signer: NetworkSigner;
  readonly network: string;
  /** An existing ERC20; a TestToken is deployed when omitted. */
  readonly token?: Address;
  /** Overrides of DEFAULT_PROTOCOL_PARAMETERS; the treasury defaults to the deployer. */
  readonly params?: Partial<ProtocolParameters>;
  readonly log?: (line: string) => void;
}

/** Deploys the protocol and returns the record to write. */
export async function deployToNetwork(p: DeployToNetworkParameters): Promise<DeploymentRecord> {
  const deployer = p.signer.wallet.account.address;
  const params: ProtocolParameters = { ...DEFAULT_PROTOCOL_PARAMETERS, treasury: deployer, ...p.params };
  const d = await deployProtocol({
    publicClient: p.signer.public,
    walletClient: p.signer.wallet,
    params,
    token: p.token,
    log: p.log,
  });
  return {
    network: p.network,
    chainId: p.signer.chainId,
    addresses: {
      token: getAddress(d.token),
      stakeManager: getAddress(d.stakeManager),
      modelRegistry: getAddress(d.modelRegistry),
      jobManager: getAddress(d.jobManager),
      oneStepVerifier: getAddress(d.oneStepVerifier),
      disputeGame: getAddress(d.disputeGame),
      floatStepVerifier: getAddress(d.floatStepVerifier),
    },
    deployBlock: d.deployBlock,
    parameters: {
      unbondingDelay: Number(params.unbondingDelay),
      maxChallengeWindow: Number(params.maxChallengeWindow),
      minResponseWindow: Number(params.minResponseWindow),
      maxResponseWindow: Number(params.maxResponseWindow),
      callbackGasLimit: Number(params.callbackGasLimit),
      revealWindow: Number(params.revealWindow),
      treasury: getAddress(params.treasury),
      deployer,
      testToken: p.token === undefined,
    },
    gitCommit: gitCommit(),
    deployedAt: new Date().toISOString(),
  };
}

/** Writes the record (creating its folder) and reads it back through the loader, so the two never disagree. */
export function writeDeploymentRecord(path: string, r: DeploymentRecord): DeploymentFile {
  mkdirSync(dirname(path), { recursive: true });
  saveDeployment(path, {
    chainId: r.chainId,
    addresses: r.addresses,
    deployBlock: r.deployBlock,
    extra: { network: r.network, parameters: r.parameters, gitCommit: r.gitCommit, deployedAt: r.deployedAt },
  });
  return loadDeployment(path);
}

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** HEAD of the checkout, `-dirty` when it has uncommitted changes; null outside git or before the first commit. */
export function gitCommit(cwd = REPO): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    return dirty === "" ? head : `${head}-dirty`;
  } catch {
    return null;
  }
}

function addressFlag(value: string): Address {
  if (!isAddress(value, { strict: false }))
    throw new InvalidArgumentError(`expected a 20-byte hex address, got ${JSON.stringify(value)}`);
  return getAddress(value);
}

interface DeployFlags {
  readonly network: string;
  readonly token?: Address;
  readonly treasury?: Address;
  readonly unbondingDelay?: bigint;
  readonly maxChallengeWindow?: bigint;
  readonly minResponseWindow?: bigint;
  readonly maxResponseWindow?: bigint;
  readonly callbackGasLimit?: bigint;
  readonly revealWindow?: bigint;
  readonly out?: string;
  readonly json?: boolean;
}

/** `refute deploy`. */
export function deployCommand({ io, setExit }: CommandContext): Command {
  const d = DEFAULT_PROTOCOL_PARAMETERS;
  return new Command("deploy")
    .description(
      "deploy the protocol to a network and write deployments/<network>.json " +
        "(RPC from REFUTE_RPC_URL_<NETWORK> or REFUTE_RPC_URL, key from REFUTE_PRIVATE_KEY or Hardhat's keystore; .env is read)",
    )
    .requiredOption("--network <name>", "network name: picks the RPC variable and names the deployment file")
    .option(
      "--token <address>",
      "use this ERC20 as the fee/stake token (default: deploy a mintable TestToken)",
      addressFlag,
    )
    .option("--treasury <address>", "receives the treasury share of slashes (default: the deployer)", addressFlag)
    .option("--unbonding-delay <seconds>", `stake unbonding delay (default ${d.unbondingDelay})`, unsignedFlag(64))
    .option(
      "--max-challenge-window <seconds>",
      `largest challenge window a model may register (default ${d.maxChallengeWindow})`,
      unsignedFlag(64),
    )
    .option(
      "--min-response-window <seconds>",
      `shortest response window a model may register: enough to get a move included (default ${d.minResponseWindow})`,
      unsignedFlag(64),
    )
    .option(
      "--max-response-window <seconds>",
      `largest response window a model may register (default ${d.maxResponseWindow})`,
      unsignedFlag(64),
    )
    .option(
      "--callback-gas-limit <gas>",
      `gas each consumer callback gets (default ${d.callbackGasLimit})`,
      unsignedFlag(64),
    )
    .option(
      "--reveal-window <blocks>",
      `blocks within which a challenge commitment must be revealed (default ${d.revealWindow})`,
      unsignedFlag(64),
    )
    .option("--out <file>", "where to write the deployment (default deployments/<network>.json)")
    .option("--json", "print the deployment as JSON")
    .action(async (flags: DeployFlags) => {
      loadEnvFile();
      const network = checkNetworkName(flags.network);
      const signer = await connectSigner(rpcUrlFor(network), await signingKey(), network, networkRpcFix(network));
      const out = flags.out !== undefined ? resolve(flags.out) : deploymentPath(network);
      const log = flags.json === true ? undefined : (line: string) => io.stderr(`${line}\n`);
      const deploy = {
        signer,
        network,
        token: flags.token,
        params: {
          ...(flags.treasury !== undefined ? { treasury: flags.treasury } : {}),
          ...(flags.unbondingDelay !== undefined ? { unbondingDelay: flags.unbondingDelay } : {}),
          ...(flags.maxChallengeWindow !== undefined ? { maxChallengeWindow: flags.maxChallengeWindow } : {}),
          ...(flags.minResponseWindow !== undefined ? { minResponseWindow: flags.minResponseWindow } : {}),
          ...(flags.maxResponseWindow !== undefined ? { maxResponseWindow: flags.maxResponseWindow } : {}),
          ...(flags.callbackGasLimit !== undefined ? { callbackGasLimit: flags.callbackGasLimit } : {}),
          ...(flags.revealWindow !== undefined ? { revealWindow: flags.revealWindow } : {}),
        },
        log,
      };
      const record = await onNetwork(signer, () => deployToNetwork(deploy));
      writeDeploymentRecord(out, record);
      if (flags.json === true) {
        io.stdout(`${JSON.stringify({ ...record, deployBlock: Number(record.deployBlock), file: out }, null, 2)}\n`);
      } else {
        const a = record.addresses;
        io.stdout(
          [
            `network         ${record.network} (chain ${record.chainId})`,
            `token           ${a.token}${record.parameters.testToken ? " (TestToken: anyone can mint)" : ""}`,
            `stakeManager    ${a.stakeManager}`,
            `modelRegistry   ${a.modelRegistry}`,
            `jobManager      ${a.jobManager}`,
            `oneStepVerifier ${a.oneStepVerifier}`,
            `disputeGame     ${a.disputeGame}`,
            ...(a.floatStepVerifier === undefined ? [] : [`floatStepVerifier ${a.floatStepVerifier}`]),
            `deployBlock     ${record.deployBlock}`,
            `wrote           ${out}`,
            "",
          ].join("\n"),
        );
      }
      setExit(ExitCode.OK);
    });
}
