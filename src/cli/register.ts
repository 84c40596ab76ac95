/**
 * `refute model register <file> --network <name>`: validates and compiles an ONNX
 * file, builds its ModelSpec (src/onnx/modelSpecFor.ts) under the given URI and
 * parameters, registers it in the deployment's ModelRegistry and prints its modelId.
 * Registering a model that is already there is not an error: the id is printed.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import type { Hash, Hex } from "viem";
import { readModelExists } from "../chain/read/registry.ts";
import { registerModel } from "../client/calls.ts";
import type { ProtocolAddresses } from "../client/contracts.ts";
import { send } from "../client/send.ts";
import { deploymentPath, loadDeployment } from "../deployments/load.ts";
import type { ModelSpec } from "../model/modelSpec.ts";
import { compileModel } from "../onnx/compile.ts";
import { modelIdFor, modelSpecFor } from "../onnx/modelSpecFor.ts";
import type { CommandContext } from "./context.ts";
import { ExitCode } from "./errors.ts";
import { readModelFile } from "./files.ts";
import { withModelParamFlags } from "./inspect.ts";
import { modelSpecOptions, type ModelParamFlags } from "./modelParams.ts";
import {
  checkNetworkName,
  connectSigner,
  expectDeploymentChain,
  loadEnvFile,
  networkRpcFix,
  onNetwork,
  signingKey,
  rpcUrlFor,
  type NetworkSigner,
} from "./network.ts";

export interface RegisterModelResult {
  readonly modelId: Hex;
  readonly spec: ModelSpec;
  /** False when the model was registered already (nothing was sent). */
  readonly registered: boolean;
  readonly txHash?: Hash;
}

/** Registers `spec` unless it exists; returns its id either way. */
export async function registerModelSpec(
  signer: NetworkSigner,
  addresses: ProtocolAddresses,
  spec: ModelSpec,
  modelId: Hex,
): Promise<RegisterModelResult> {
  if (await readModelExists(signer.public, { address: addresses.modelRegistry, modelId }))
    return { modelId, spec, registered: false };
  const client = { public: signer.public, wallet: signer.wallet, addresses };
  const { hash } = await send(client, registerModel(addresses, spec));
  return { modelId, spec, registered: true, txHash: hash };
}

interface RegisterFlags extends ModelParamFlags {
  readonly network: string;
  readonly deployment?: string;
  readonly json?: boolean;
}

/** `refute model register`. */
export function registerCommand({ io, setExit }: CommandContext): Command {
  return withModelParamFlags(new Command("register"))
    .description("register an ONNX model in a deployment's ModelRegistry and print its modelId")
    .argument("<file>", "ONNX model file")
    .requiredOption(
      "--network <name>",
      "network (RPC from REFUTE_RPC_URL_<NETWORK> or REFUTE_RPC_URL, key from REFUTE_PRIVATE_KEY or Hardhat's keystore)",
    )
    .option("--deployment <file>", "deployment file (default deployments/<network>.json)")
    .option("--json", "print JSON")
    .action(async (file: string, flags: RegisterFlags) => {
      loadEnvFile();
      const network = checkNetworkName(flags.network);
      const compiled = compileModel(readModelFile(file));
      const options = modelSpecOptions(file, flags);
      const spec = modelSpecFor(compiled, options);
      const deployment = loadDeployment(
        flags.deployment !== undefined ? resolve(flags.deployment) : deploymentPath(network),
      );
      const signer = await connectSigner(rpcUrlFor(network), await signingKey(), network, networkRpcFix(network));
      expectDeploymentChain(signer, deployment, network);
      const result = await onNetwork(signer, () =>
        registerModelSpec(signer, deployment.addresses, spec, modelIdFor(compiled, options)),
      );
      if (flags.json === true) {
        io.stdout(
          `${JSON.stringify(
            {
              modelId: result.modelId,
              registered: result.registered,
              txHash: result.txHash ?? null,
              uri: spec.uri,
              graphRoot: spec.graphRoot,
              fileHash: spec.fileHash,
              params: Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, String(v)])),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        if (!result.registered) io.stderr(`refute: model already registered\n`);
        io.stdout(`${result.modelId}\n`);
      }
      setExit(ExitCode.OK);
    });
}
