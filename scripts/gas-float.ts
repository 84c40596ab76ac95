/**
 * Gas of the float profile's one-step checks (src/bench/floatGas.ts, src/float/operatorGas.ts):
 * writes bench/gas-float.json. `floatOneStep.matMul.<K>`: one MatMul element at K = 64, 784
 * and 4096 with both operand openings, calldata included (`.violating`: a claim 1.1·B away;
 * `.dotRunsOnly`: the runs without openings). `floatOneStep.conv…`, `gemm…` and the pools: one
 * element of each with every operand opening; `convOpenings` the word-set opening of the Conv
 * input against one range opening per kernel row.
 */
import { writeFileSync } from "node:fs";
import { measureFloatGas } from "../src/bench/floatGas.ts";
import { measureOperatorGas } from "../src/float/operatorGas.ts";

const figures = await measureFloatGas();
const operators = await measureOperatorGas();
const report = {
  generated: "node --import tsx scripts/gas-float.ts: eth_estimateGas on anvil, calldata included; MatMul B [K, 128]",
  floatOneStep: {
    ...Object.fromEntries(
      Object.entries(figures).flatMap(([k, f]) => [
        [`matMul.${k}`, f.matMul],
        [`matMul.${k}.violating`, f.matMulViolating],
        [`dotRunsOnly.${k}`, f.dotRunsOnly],
      ]),
    ),
    ...operators.gas,
  },
  convOpenings: operators.convOpenings,
};
writeFileSync(new URL("../bench/gas-float.json", import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
