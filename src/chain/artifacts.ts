import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Abi, Hex } from "viem";

/** The compiled form of one contract, as Hardhat writes it under artifacts/. */
export interface Artifact {
  readonly contractName: string;
  readonly abi: Abi;
  readonly bytecode: Hex;
}

export class MissingArtifactError extends Error {
  override readonly name = "MissingArtifactError";
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Loads `artifacts/<sourcePath>/<name>.json`, e.g. ("contracts/JobManager.sol", "JobManager").
 * Artifacts come from `npx hardhat build`; the error says so when they are missing.
 */
export function loadArtifact(sourcePath: string, name: string): Artifact {
  const file = `${ROOT}artifacts/${sourcePath}/${name}.json`;
  if (!existsSync(file))
    throw new MissingArtifactError(`no artifact for ${name} at ${file}: run \`npx hardhat build\``);
  const json = JSON.parse(readFileSync(file, "utf8")) as { contractName: string; abi: Abi; bytecode: Hex };
  return { contractName: json.contractName, abi: json.abi, bytecode: json.bytecode };
}
