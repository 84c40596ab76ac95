import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DeploymentFileError, loadDeployment, parseDeployment, renderDeployment } from "../../src/deployments/load.ts";

const addresses = {
  token: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  stakeManager: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
  modelRegistry: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
  jobManager: "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9",
  oneStepVerifier: "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9",
  disputeGame: "0x5fc8d32690cc91d4c39d9d3abcbd16989f875707",
};

describe("deployments/<network>.json", () => {
  it("round-trips, checksums addresses and keeps other fields", () => {
    const d = parseDeployment({ chainId: "31337", addresses, deployBlock: "7", gitCommit: "abc" });
    assert.equal(d.chainId, 31337);
    assert.equal(d.deployBlock, 7n);
    assert.equal(d.addresses.token, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    assert.equal(d.extra["gitCommit"], "abc");
    const dir = mkdtempSync(join(tmpdir(), "dep-"));
    writeFileSync(join(dir, "x.json"), renderDeployment(d));
    assert.deepEqual(loadDeployment(join(dir, "x.json")), d);
  });

  it("names the bad field", () => {
    assert.throws(
      () => parseDeployment({ chainId: 1, addresses: { ...addresses, disputeGame: "0x12" }, deployBlock: 0 }),
      (e: unknown) => e instanceof DeploymentFileError && e.field === "addresses.disputeGame",
    );
    assert.throws(() => loadDeployment("/nonexistent/x.json"), DeploymentFileError);
  });
});
