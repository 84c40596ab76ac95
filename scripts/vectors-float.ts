/**
 * Writes test/vectors/float.json, the golden vectors of the float profile
 * (docs/PROTOCOL.md §10, §11). Deterministic: test/float/vectors.test.ts regenerates it in
 * memory and compares byte for byte.
 */
import { writeFileSync } from "node:fs";
import { floatVectors, floatVectorsJson } from "../src/float/vectors.ts";

const target = new URL("../test/vectors/float.json", import.meta.url);
writeFileSync(target, floatVectorsJson());
const v = floatVectors();
console.log(
  `wrote test/vectors/float.json (${v.dot.length} dot, ${v.mean.length} mean, ${v.elementwise.length} elementwise, ${v.compare.length} compare, ${v.multiOpening.length} word-set openings, ${v.operators.length} operator calls, ${v.reverts.length} refused calls)`,
);
