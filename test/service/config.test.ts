/**
 * Where a daemon's RPC URLs come from: the flag, then REFUTE_RPC_URL_<NETWORK>
 * (with --network), then REFUTE_RPC_URL, each also from the env file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { commonFields } from "../../src/service/commonConfig.ts";
import { ConfigError, parseConfig, perNetworkEnvName } from "../../src/service/config.ts";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const fields = commonFields("watcher");

function rpcOf(flags: Record<string, unknown>, env: NodeJS.ProcessEnv, envFile?: string): readonly string[] {
  return parseConfig(fields, {
    flags,
    env: { REFUTE_PRIVATE_KEY: KEY, ...env },
    envFile: envFile === undefined ? undefined : { path: envFile, required: true },
  }).rpcUrls;
}

describe("daemon configuration: RPC per network", () => {
  test("the per-network variable is named after the network, upper-cased", () => {
    assert.equal(perNetworkEnvName("REFUTE_RPC_URL", "base-sepolia"), "REFUTE_RPC_URL_BASE_SEPOLIA");
  });

  test("with --network, REFUTE_RPC_URL_<NETWORK> is read before REFUTE_RPC_URL", () => {
    const env = { REFUTE_RPC_URL_SEPOLIA: "http://10.0.0.1:8545,http://10.0.0.2:8545", REFUTE_RPC_URL: "http://b:1" };
    assert.deepEqual(rpcOf({ network: "sepolia" }, env), ["http://10.0.0.1:8545", "http://10.0.0.2:8545"]);
    assert.deepEqual(rpcOf({ network: "mainnet" }, env), ["http://b:1"]);
    assert.deepEqual(rpcOf({}, env), ["http://b:1"]);
  });

  test("the network may itself come from REFUTE_NETWORK, and the flag wins over every variable", () => {
    const env = { REFUTE_NETWORK: "sepolia", REFUTE_RPC_URL_SEPOLIA: "http://a:1", REFUTE_RPC_URL: "http://b:1" };
    assert.deepEqual(rpcOf({}, env), ["http://a:1"]);
    assert.deepEqual(rpcOf({ rpcUrl: ["http://c:1"] }, env), ["http://c:1"]);
  });

  test("the per-network variable is also read from the env file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "refute-config-")), ".env");
    writeFileSync(file, "REFUTE_RPC_URL_HOLESKY=http://127.0.0.1:9545\nREFUTE_RPC_URL=http://127.0.0.1:1\n");
    assert.deepEqual(rpcOf({ network: "holesky" }, {}, file), ["http://127.0.0.1:9545"]);
  });

  test("no RPC at all names every place it could have come from", () => {
    assert.throws(
      () => rpcOf({ network: "sepolia" }, {}),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.issues.some(
          (i) =>
            i.field === "rpcUrls" && i.message.endsWith("(set --rpc-url, REFUTE_RPC_URL_SEPOLIA or REFUTE_RPC_URL)"),
        ),
    );
    assert.throws(
      () => rpcOf({}, {}),
      (e: unknown) =>
        e instanceof ConfigError && e.issues.some((i) => i.message.endsWith("(set --rpc-url or REFUTE_RPC_URL)")),
    );
  });
});
