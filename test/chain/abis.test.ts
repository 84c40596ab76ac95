import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { renderAbis } from "../../src/chain/renderAbis.ts";

test("src/chain/abis.ts matches the compiled artifacts (run `npm run abis` after changing a contract)", () => {
  assert.equal(readFileSync(new URL("../../src/chain/abis.ts", import.meta.url), "utf8"), renderAbis());
});
