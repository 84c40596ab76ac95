/**
 * The demo's chain (and `refute dev`'s): an embedded anvil on a loopback port, the
 * protocol deployed exactly as `refute deploy` does it (deployment file included), the
 * shipped model registered with short windows, and every party funded: anvil's
 * development accounts hold ETH from the start, the protocol's token is minted to
 * each, and requesters approve the JobManager for their fees.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestClient, http, type Hex, type PublicClient } from "viem";
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

/** Tokens minted to each funded account. */
export const FUNDED_TOKENS = 100_000n * TOKEN;

const DEMO_FUNDED: readonly Role[] = ["requester", "secondRequester", "honestProvider", "cheatingProvider", "watcher"];
const DEMO_REQUESTERS: readonly Role[] = ["requester", "secondRequester"];

export interface SetUpChainParameters {
  readonly dir: string;
  readonly challengeWindow: number;
  readonly responseWindow: number;
  readonly log: (line: string) => void;
  /** anvil's port (default: a free loopback port). */
  readonly port?: number;
  /** Names the deployment (default "demo"). */
  readonly network?: string;
  /** Where the deployment record goes (default `<dir>/deployments/<network>.json`). */
  readonly deploymentFile?: string;
  /** Accounts that get FUNDED_TOKENS (default the demo's parties). */
  readonly funded?: readonly Role[];
  /** Funded accounts that approve the JobManager for fees (default the demo's requesters). */
  readonly requesters?: readonly Role[];
  /** anvil in its own process group (see StartAnvilParameters.detached). */
  readonly detached?: boolean;
}

export async function setUpChain(p: SetUpChainParameters): Promise<DemoChain> {
  // Set up with automine (a block per transaction, no waiting), then one-second blocks:
  // the daemons count confirmations, and windows need time to pass.
  const anvil = await startAnvil({ port: p.port, detached: p.detached });
  const network = p.network ?? "demo";
  try {
    p.log(`anvil listening on ${anvil.rpcUrl}`);
    const deployer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), network);
    const record = await deployToNetwork({ signer: deployer, network });
    const deploymentFile = p.deploymentFile ?? join(p.dir, "deployments", `${network}.json`);
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
      const s = await connectSigner(anvil.rpcUrl, keyOf(role), network);
      return { public: s.public, wallet: s.wallet, addresses };
    };
    const admin: RefuteClient = { public: deployer.public, wallet: deployer.wallet, addresses };
    for (const role of p.funded ?? DEMO_FUNDED) {
      await send(admin, mint(addresses, addressOf(role), FUNDED_TOKENS));
    }
    for (const role of p.requesters ?? DEMO_REQUESTERS) {
      await send(await client(role), approve(addresses, addresses.jobManager, FUNDED_TOKENS));
    }
    await createTestClient({ mode: "anvil", transport: http(anvil.rpcUrl) }).setIntervalMining({ interval: 1 });
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
