/**
 * The signing key of `refute deploy` and `refute model register` when it is not in
 * the environment: Hardhat's encrypted keystore (`npx hardhat keystore set
 * REFUTE_PRIVATE_KEY`), read through Hardhat's own configuration-variable chain, so
 * the precedence and the password prompt are Hardhat's: the environment first, then
 * the development keystore (`--dev`, no password), then the production keystore
 * (asks its password on the terminal).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configVariable } from "hardhat/config";
import { createHardhatRuntimeEnvironment, importUserConfig } from "hardhat/hre";
import { UsageError } from "./errors.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** Marks "the chain reached its end without a value" apart from Hardhat's own errors. */
class NotStored extends Error {}

/**
 * The value of `name` from Hardhat's keystore, or undefined when no keystore holds
 * it. A wrong password or a damaged keystore is a UsageError naming the cause.
 */
export async function readHardhatKeystore(name: string): Promise<string | undefined> {
  // Hardhat's chain gives the environment precedence whenever the variable is defined,
  // even as "" (what an empty line in .env gives): an empty one means "not set" here.
  if (process.env[name] === "") delete process.env[name];
  const configPath = join(REPO, "hardhat.config.ts");
  let value: string;
  try {
    const hre = await createHardhatRuntimeEnvironment(await importUserConfig(configPath), { config: configPath }, REPO);
    value = await hre.hooks.runHandlerChain("configurationVariables", "fetchValue", [configVariable(name)], () => {
      throw new NotStored();
    });
  } catch (e) {
    if (e instanceof NotStored) return undefined;
    throw new UsageError("KEYSTORE", `cannot read ${name} from Hardhat's keystore: ${(e as Error).message}`);
  }
  return value;
}
