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
        // One solc run for every file that needs building, with the legacy code generator.
        // Its code for a contract depends only on that contract's own sources, never on
        // which other files share the run (checked: a fresh full build, a contracts-only
        // build and an incremental one give identical code), so exact gas figures hold
        // on any build. viaIR would cost about 7× the build time (6.5 minutes against
        // 65 s for all 54 files on two cores) and its code does depend on the run's other
        // files; functions that the legacy generator's 16-slot stack cannot hold are
        // split in the sources instead. The metadata hash is left out: it varied between
        // runs and changed deployment gas with it.
        isolated: false,
        version: solcVersion,
        path: solcPath,
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: "cancun",
          metadata: { bytecodeHash: "none" },
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
