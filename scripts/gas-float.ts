/**
 * Gas of one float MatMul element's check at K = 64, 784 and 4096 (src/bench/floatGas.ts):
 * writes bench/gas-float.json (`floatOneStep.matMul.<K>`: the call with both operand openings,
 * calldata included; `.violating`: the same for a claim 1.1·B away; `.dotRunsOnly`: the runs
 * without openings).
 */
import { writeFileSync } from "node:fs";
import { measureFloatGas } from "../src/bench/floatGas.ts";

const figures = await measureFloatGas();
const report = {
  generated: "node --import tsx scripts/gas-float.ts: eth_estimateGas on anvil, B [K, 128], calldata included",
  floatOneStep: Object.fromEntries(
    Object.entries(figures).flatMap(([k, f]) => [
      [`matMul.${k}`, f.matMul],
      [`matMul.${k}.violating`, f.matMulViolating],
      [`dotRunsOnly.${k}`, f.dotRunsOnly],
    ]),
  ),
};
writeFileSync(new URL("../bench/gas-float.json", import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
