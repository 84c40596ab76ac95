/**
 * Writes test/vectors/ops.json, the golden one-step vectors of the on-chain
 * evaluators (docs/PROTOCOL.md §6.1, §10). Deterministic: the same code gives
 * the same file, which test/reference/vectors.test.ts checks.
 */
import { writeFileSync } from "node:fs";
import { opVectorsJson } from "../src/reference/opVectors.ts";

const target = new URL("../test/vectors/ops.json", import.meta.url);
const text = opVectorsJson();
writeFileSync(target, text);
console.log(`wrote test/vectors/ops.json (${JSON.parse(text).count} cases, ${text.length} bytes)`);
