/**
 * Writes src/chain/abis.ts: the contracts' ABIs as `as const` literals, so viem
 * types every call, argument and event. Run after `npx hardhat build`;
 * test/chain/abis.test.ts fails when the file is stale.
 */
import { writeFileSync } from "node:fs";
import { renderAbis } from "../src/chain/renderAbis.ts";

writeFileSync(new URL("../src/chain/abis.ts", import.meta.url), renderAbis());
console.log("wrote src/chain/abis.ts");
