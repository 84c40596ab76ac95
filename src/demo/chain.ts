/**
 * The demo's chain: an embedded anvil on a free loopback port, the protocol deployed
 * exactly as `refute deploy` does it (deployment file included), the shipped model
 * registered with short windows, and every party funded.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Hex, PublicClient } from "viem";
import { startAnvil, type AnvilNode } from "../chain/anvil.ts";
import { approve, mint } from "../client/calls.ts";
import type { ProtocolAddresses, RefuteClient } from "../client/contracts.ts";
import { send } from "../client/send.ts";
import { deployToNetwork, writeDeploymentRecord } from "../cli/deploy.ts";
import { connectSigner } from "../cli/network.ts";
import { registerModelSpec } from "../cli/register.ts";
import type { ModelParams } from "../model/modelSpec.ts";
import { compileModel, type CompiledModel } from "../onnx/compile.ts";
import { modelIdFor, modelSpecFor } from "../onnx/modelSpecFor.ts";
import { addressOf, keyOf, type Role } from "./accounts.ts";
import { REPO } from "./daemonProcess.ts";

export const TOKEN = 10n ** 18n;
export const MODEL_FILE = join(REPO, "models", "fmnist-mlp.onnx");
export const IMAGES_FILE = join(REPO, "models", "fmnist-mlp.eval-images.idx");
export const LABELS_FILE = join(REPO, "models", "fmnist-mlp.eval-labels.idx");

export interface DemoChain {
  readonly anvil: AnvilNode;
  readonly public: PublicClient;
  readonly addresses: ProtocolAddresses;
  readonly deployBlock: bigint;
  readonly deploymentFile: string;
  readonly compiled: CompiledModel;
  readonly modelId: Hex;
  readonly params: ModelParams;
  client(role: Role): Promise<RefuteClient>;
  stop(): Promise<void>;
}

export async function setUpChain(p: {
  readonly dir: string;
  readonly challengeWindow: number;
  readonly responseWindow: number;
  readonly log: (line: string) => void;
}): Promise<DemoChain> {
  // One-second blocks: the daemons count confirmations, and windows need time to pass.
  const anvil = await startAnvil({ blockTime: 1 });
  try {
    p.log(`anvil listening on ${anvil.rpcUrl}`);
    const deployer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), "demo");
    const record = await deployToNetwork({ signer: deployer, network: "demo" });
    const deploymentFile = join(p.dir, "deployments", "demo.json");
    writeDeploymentRecord(deploymentFile, record);
    const addresses = record.addresses;
    p.log(`deployed the protocol (JobManager ${addresses.jobManager}); wrote ${deploymentFile}`);

    const compiled = compileModel(new Uint8Array(readFileSync(MODEL_FILE)));
    const params: ModelParams = {
      challengeWindow: BigInt(p.challengeWindow),
      responseWindow: BigInt(p.responseWindow),
      collateralPerJob: 100n * TOKEN,
      challengerBond: 10n * TOKEN,
    };
    const options = { uri: "file://fmnist-mlp.onnx", params };
    const modelId = modelIdFor(compiled, options);
    await registerModelSpec(deployer, addresses, modelSpecFor(compiled, options), modelId);
    p.log(
      `registered fmnist-mlp as ${modelId} (window ${p.challengeWindow} s, response ${p.responseWindow} s, collateral 100, bond 10)`,
    );

    const client = async (role: Role): Promise<RefuteClient> => {
      const s = await connectSigner(anvil.rpcUrl, keyOf(role), "demo");
      return { public: s.public, wallet: s.wallet, addresses };
    };
    const admin: RefuteClient = { public: deployer.public, wallet: deployer.wallet, addresses };
    for (const role of ["requester", "secondRequester", "honestProvider", "cheatingProvider", "watcher"] as const) {
      await send(admin, mint(addresses, addressOf(role), 100_000n * TOKEN));
    }
    for (const role of ["requester", "secondRequester"] as const) {
      await send(await client(role), approve(addresses, addresses.jobManager, 100_000n * TOKEN));
    }
    return {
      anvil,
      public: deployer.public,
      addresses,
      deployBlock: record.deployBlock,
      deploymentFile,
      compiled,
      modelId,
      params,
      client,
      stop: () => anvil.stop(),
    };
  } catch (e) {
    await anvil.stop();
    throw e;
  }
}
