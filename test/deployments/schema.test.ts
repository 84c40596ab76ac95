/**
 * deployments/<network>.json: what `refute deploy` writes is what deployments/README.md
 * documents. A real deployment on anvil is written with the deploy command's own writer
 * and checked against the full record schema, and the committed JSON Schema
 * (deployments/schema.json) must be the one generated from that schema.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { deployToNetwork, writeDeploymentRecord } from "../../src/cli/deploy.ts";
import { connectSigner } from "../../src/cli/network.ts";
import { keyOf } from "../../src/demo/accounts.ts";
import { loadDeployment } from "../../src/deployments/load.ts";
import { deploymentJsonSchema, deploymentRecordSchema } from "../../src/deployments/schema.ts";

let anvil: AnvilNode;
let dir: string;
let written: Record<string, unknown>;

before(async () => {
  anvil = await startAnvil();
  dir = mkdtempSync(join(tmpdir(), "refute-deployment-schema-"));
  const signer = await connectSigner(anvil.rpcUrl, keyOf("deployer"), "schema-test");
  const file = join(dir, "schema-test.json");
  writeDeploymentRecord(file, await deployToNetwork({ signer, network: "schema-test" }));
  written = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
});

after(async () => {
  await anvil?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test("the committed deployments/schema.json is the one generated from the record schema", () => {
  const committed = JSON.parse(readFileSync(new URL("../../deployments/schema.json", import.meta.url), "utf8")) as unknown;
  assert.deepEqual(
    committed,
    deploymentJsonSchema(),
    "regenerate it: node --import tsx scripts/deployment-schema.ts",
  );
});

test("a deployment written by refute deploy's writer matches the documented record, field for field", () => {
  const r = deploymentRecordSchema.safeParse(written);
  assert.ok(r.success, r.success ? "" : JSON.stringify(r.error.issues));
  assert.equal(r.data.network, "schema-test");
  assert.equal(r.data.chainId, 31337);
  assert.equal(r.data.parameters.testToken, true);
  // The loader reads the same file (and keeps the fields it does not need).
  const d = loadDeployment(join(dir, "schema-test.json"));
  assert.equal(d.addresses.jobManager, r.data.addresses.jobManager);
  assert.equal(d.extra["deployedAt"], r.data.deployedAt);
});

test("records that break the format are refused: a missing contract, an unknown field, a malformed address", () => {
  const addresses = written["addresses"] as Record<string, string>;
  const { disputeGame: _missing, ...withoutGame } = addresses;
  const broken: Record<string, unknown>[] = [
    { ...written, addresses: withoutGame },
    { ...written, extraField: 1 },
    { ...written, addresses: { ...addresses, token: "0x1234" } },
    { ...written, deployBlock: -1 },
    { ...written, gitCommit: "not-a-commit" },
  ];
  for (const b of broken) assert.equal(deploymentRecordSchema.safeParse(b).success, false, JSON.stringify(b));
});
