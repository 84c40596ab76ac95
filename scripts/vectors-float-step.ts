/**
 * Writes test/vectors/float-step.json, the golden vectors of the routed float32 one-step check
 * (docs/PROTOCOL.md §10, §11.10). Deterministic: test/float/stepVectors.test.ts regenerates it
 * in memory and compares byte for byte.
 */
import { writeFileSync } from "node:fs";
import { floatStepVectors, floatStepVectorsJson } from "../src/float/step/vectors.ts";

const target = new URL("../test/vectors/float-step.json", import.meta.url);
writeFileSync(target, floatStepVectorsJson());
const v = floatStepVectors();
console.log(
  `wrote test/vectors/float-step.json (${v.cases.length} routed elements, ${v.reverts.length} refused calls)`,
);
