/** A OneStepVerifier (and test contracts) deployed on a fresh anvil, for the tests of test/ops/. */
import {
  createPublicClient,
  createWalletClient,
  http,
  type Abi,
  type Address,
  type PublicClient,
  type WalletClient,
} from "viem";
import { foundry } from "viem/chains";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { loadArtifact } from "../../src/chain/artifacts.ts";

/** anvil's first default account (unlocked on every anvil node). */
export const DEPLOYER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

export interface Chain {
  readonly anvil: AnvilNode;
  readonly client: PublicClient;
  readonly wallet: WalletClient;
}

export interface Deployed {
  readonly address: Address;
  readonly abi: Abi;
}

export interface DeployedVerifier extends Chain, Deployed {}

export async function startChain(): Promise<Chain> {
  // The block gas limit is raised so that eth_call of a K = 40,000 MatMulInteger is not cut off.
  const anvil = await startAnvil({ args: ["--gas-limit", "1000000000"] });
  const transport = http(anvil.rpcUrl, { batch: { batchSize: 100 } });
  const client = createPublicClient({ chain: foundry, transport });
  const wallet = createWalletClient({ chain: foundry, transport, account: DEPLOYER });
  return { anvil, client, wallet };
}

/** Deploys `artifacts/<sourcePath>/<name>.json` (no constructor arguments). */
export async function deploy(chain: Chain, sourcePath: string, name: string): Promise<Deployed> {
  const artifact = loadArtifact(sourcePath, name);
  const hash = await chain.wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    account: DEPLOYER,
    chain: foundry,
  });
  const receipt = await chain.client.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`${name} deployment created no contract`);
  return { address: receipt.contractAddress, abi: artifact.abi };
}

export async function deployVerifier(): Promise<DeployedVerifier> {
  const chain = await startChain();
  const verifier = await deploy(chain, "contracts/OneStepVerifier.sol", "OneStepVerifier");
  return { ...chain, ...verifier };
}
