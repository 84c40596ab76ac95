/**
 * `npm run build [-- --contracts-only]`: compiles the Solidity sources in two steps,
 * the contracts first and then the Solidity tests, and prints progress lines (files,
 * elapsed seconds) whether or not the output is a terminal. Each step leaves its
 * artifacts and Hardhat's cache behind when it finishes, so an interrupted build keeps
 * the contracts it compiled and the next run starts from there; an up-to-date step is a
 * cache hit of about a second.
 */
import { buildSolidity } from "../src/chain/build.ts";

const contractsOnly = process.argv.includes("--contracts-only");
const ok = await buildSolidity({ tests: !contractsOnly, log: (line) => console.log(line) });
process.exitCode = ok ? 0 : 1;
