import { writeFileSync } from "node:fs";
import { tensorVectors } from "../src/vectors/tensorVectors.ts";
import { graphVector } from "../src/vectors/graphVectors.ts";

/** Regenerates the golden vectors of docs/PROTOCOL.md §10 (checked by TypeScript and Solidity tests). */
const out = new URL("../test/vectors/", import.meta.url);
writeFileSync(new URL("tensors.json", out), JSON.stringify({ cases: tensorVectors() }, null, 1) + "\n");
writeFileSync(new URL("graph.json", out), JSON.stringify(graphVector(), null, 1) + "\n");
console.log("wrote test/vectors/tensors.json and test/vectors/graph.json");
