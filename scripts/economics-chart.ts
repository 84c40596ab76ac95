/**
 * Writes bench/economics.svg: detection probability and minimum collateral against
 * the sampling rate for w = 1, 3, 5 watchers, at the default parameters of
 * src/economics/model.ts. Usage: node --import tsx scripts/economics-chart.ts [out.svg]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderEconomicsChart } from "../src/economics/chart.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] ?? resolve(root, "bench/economics.svg"));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, renderEconomicsChart());
console.log(`wrote ${out}`);
