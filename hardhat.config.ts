import { createRequire } from "node:module";
import hardhatKeystore from "@nomicfoundation/hardhat-keystore";
import { defineConfig } from "hardhat/config";

// Compile offline: Hardhat would otherwise download solc. The pinned `solc` npm
// package ships the same compiler as soljson.js; its version is read from its
// package.json so the two never drift apart.
const require = createRequire(import.meta.url);
const solcVersion: string = require("solc/package.json").version;
const solcPath = require.resolve("solc/soljson.js");

// Fuzz and invariant depth: a quick profile for every `npm test`, a deep one for
// `npm run test:deep` (REFUTE_DEEP=1).
const deep = process.env.REFUTE_DEEP === "1";

export default defineConfig({
  // `npx hardhat keystore set REFUTE_PRIVATE_KEY`: the key `refute deploy` and
  // `refute model register` sign with when the environment has none (src/cli/keystore.ts).
  plugins: [hardhatKeystore],
  solidity: {
    profiles: {
      default: {
        // One compilation job per root file: a contract's bytecode (and so every exact gas
        // figure) then depends only on its own sources, never on which other files the
        // compilation cache happened to merge into the same solc run. Merged runs give a
        // contract other bytecode after an incremental build than after a fresh one.
        isolated: true,
        version: solcVersion,
        path: solcPath,
        settings: {
          optimizer: { enabled: true, runs: 200 },
          viaIR: true,
          evmVersion: "cancun",
        },
      },
    },
  },
  paths: {
    tests: { solidity: "test/solidity" },
  },
  test: {
    solidity: {
      fuzz: { runs: deep ? 5000 : 256 },
      invariant: { runs: deep ? 512 : 48, depth: deep ? 128 : 32, failOnRevert: false },
      // Golden vectors shared with the TypeScript tests (docs/PROTOCOL.md §10).
      fsPermissions: { readDirectory: ["test/vectors"] },
    },
  },
});
