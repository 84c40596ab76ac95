import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { loadArtifact } from "./artifacts.ts";
import { deployFloatStepVerifier } from "./deployFloatStep.ts";

/** Protocol-wide parameters fixed at deployment (seconds). */
export interface ProtocolParameters {
  readonly unbondingDelay: bigint;
  readonly maxChallengeWindow: bigint;
  /** The shortest response window a model may register: enough to get a move included on this chain (docs/PROTOCOL.md §9). */
  readonly minResponseWindow: bigint;
  readonly maxResponseWindow: bigint;
  readonly callbackGasLimit: bigint;
  readonly treasury: Address;
  /** Blocks after its commit within which a challenge commitment can be revealed (docs/PROTOCOL.md §9.1). */
  readonly revealWindow: bigint;
}

export interface Deployment {
  readonly token: Address;
  readonly stakeManager: Address;
  readonly modelRegistry: Address;
  readonly jobManager: Address;
  readonly oneStepVerifier: Address;
  readonly disputeGame: Address;
  /** The float32 profile's one-step verifier (docs/PROTOCOL.md §11.10); the dispute game does not route to it yet. */
  readonly floatStepVerifier: Address;
  readonly deployBlock: bigint;
}

export const DEFAULT_PROTOCOL_PARAMETERS: Omit<ProtocolParameters, "treasury"> = {
  // Longer than the longest challenge window plus 15 response windows (docs/PROTOCOL.md §9).
  unbondingDelay: 7n * 24n * 3600n,
  maxChallengeWindow: 24n * 3600n,
  // For anvil's 1-s blocks; a 12-s-block L1 wants about 300 s (deployments/README.md).
  minResponseWindow: 10n,
  maxResponseWindow: 6n * 3600n,
  callbackGasLimit: 200_000n,
  revealWindow: 64n,
};

export interface DeployParameters {
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient<Transport, Chain, Account>;
  readonly params: ProtocolParameters;
  /** An existing ERC20; a TestToken is deployed when omitted. */
  readonly token?: Address;
  readonly log?: (line: string) => void;
}

/**
 * Deploys and wires the whole protocol: StakeManager → ModelRegistry → JobManager →
 * OneStepVerifier → the float32 profile's FloatStepVerifier and its parts → DisputeGame
 * (which calls both verifiers), then the one-time `initialize` calls. The JobManager
 * is the StakeManager's slasher (it forwards the dispute game's split).
 */
export async function deployProtocol(p: DeployParameters): Promise<Deployment> {
  const { publicClient, walletClient, params } = p;
  const log = p.log ?? (() => {});
  const deploy = async (
    source: string,
    name: string,
    args: readonly unknown[],
  ): Promise<{ address: Address; block: bigint }> => {
    const artifact = loadArtifact(source, name);
    const hash = await walletClient.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress)
      throw new Error(`deploying ${name} reverted (tx ${hash})`);
    log(`deployed ${name} at ${receipt.contractAddress}`);
    return { address: receipt.contractAddress, block: receipt.blockNumber };
  };
  const call = async (
    source: string,
    name: string,
    address: Address,
    functionName: string,
    args: readonly unknown[],
  ) => {
    const { abi } = loadArtifact(source, name);
    const hash: Hex = await walletClient.writeContract({ address, abi, functionName, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${name}.${functionName} reverted (tx ${hash})`);
  };

  const tokenDeploy = p.token ? undefined : await deploy("contracts/test/TestToken.sol", "TestToken", []);
  const token = p.token ?? tokenDeploy!.address;
  const sm = await deploy("contracts/StakeManager.sol", "StakeManager", [
    token,
    params.unbondingDelay,
    params.maxChallengeWindow,
    params.minResponseWindow,
    params.maxResponseWindow,
  ]);
  const registry = await deploy("contracts/ModelRegistry.sol", "ModelRegistry", [sm.address]);
  const jm = await deploy("contracts/JobManager.sol", "JobManager", [
    sm.address,
    registry.address,
    params.callbackGasLimit,
  ]);
  const verifier = await deploy("contracts/OneStepVerifier.sol", "OneStepVerifier", []);
  const float = await deployFloatStepVerifier({ publicClient, walletClient, log });
  const game = await deploy("contracts/DisputeGame.sol", "DisputeGame", [
    jm.address,
    registry.address,
    verifier.address,
    float.floatStepVerifier,
    params.treasury,
    params.revealWindow,
  ]);
  await call("contracts/StakeManager.sol", "StakeManager", sm.address, "initialize", [jm.address, jm.address]);
  await call("contracts/JobManager.sol", "JobManager", jm.address, "initialize", [game.address]);
  return {
    token,
    stakeManager: sm.address,
    modelRegistry: registry.address,
    jobManager: jm.address,
    oneStepVerifier: verifier.address,
    disputeGame: game.address,
    floatStepVerifier: float.floatStepVerifier,
    deployBlock: tokenDeploy?.block ?? sm.block,
  };
}
