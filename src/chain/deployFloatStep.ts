import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";
import { loadArtifact } from "./artifacts.ts";

/** The float32 profile's one-step verifier and the parts it routes to (docs/PROTOCOL.md §11.10). */
export interface FloatStepDeployment {
  /** FloatStepVerifier: what the dispute game calls (IFloatStepVerifier). */
  readonly floatStepVerifier: Address;
  readonly floatDotStep: Address;
  readonly floatWindowStep: Address;
  readonly floatPointwiseStep: Address;
}

const DIR = "contracts/ops/float/step";

/**
 * Deploys the three stateless parts (dot products; windows and means; pointwise operators and
 * data movers), then FloatStepVerifier with their addresses as its immutable routes.
 */
export async function deployFloatStepVerifier(p: {
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient<Transport, Chain, Account>;
  readonly log?: (line: string) => void;
}): Promise<FloatStepDeployment> {
  const deploy = async (name: string, args: readonly unknown[]): Promise<Address> => {
    const artifact = loadArtifact(`${DIR}/${name}.sol`, name);
    const hash = await p.walletClient.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) {
      throw new Error(`deploying ${name} reverted (tx ${hash})`);
    }
    p.log?.(`deployed ${name} at ${receipt.contractAddress}`);
    return receipt.contractAddress;
  };
  const floatDotStep = await deploy("FloatDotStep", []);
  const floatWindowStep = await deploy("FloatWindowStep", []);
  const floatPointwiseStep = await deploy("FloatPointwiseStep", []);
  const floatStepVerifier = await deploy("FloatStepVerifier", [floatDotStep, floatWindowStep, floatPointwiseStep]);
  return { floatStepVerifier, floatDotStep, floatWindowStep, floatPointwiseStep };
}
