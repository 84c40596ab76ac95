/**
 * Gas of the float operator checks with operand openings (FloatOneStep, docs/PROTOCOL.md
 * §11.9): eth_estimateGas of the whole call as a transaction on a fresh anvil — 21,000
 * intrinsic, the calldata of every opening, their verification against the tensor roots and
 * the check itself — for elements of a small CNN: Conv 16→32 3×3 pad 1 on a 14×14 input (an
 * interior element and a corner), Gemm at K = 1,568 and 784 with N = 64, MaxPool 2×2 stride 2,
 * AveragePool 3×3 pad 1, GlobalAveragePool over 7×7. Each measured claim is checked first to
 * get the reference's verdict (honest claims: ADMISSIBLE).
 */
import { createPublicClient, createWalletClient, http, type Address, type Hex } from "viem";
import { foundry } from "viem/chains";
import { startAnvil } from "../chain/anvil.ts";
import { loadArtifact } from "../chain/artifacts.ts";
import { Layout } from "../tensor/spec.ts";
import { Rng } from "../vectors/rng.ts";
import { averagePoolCall, convCall, gemmCall, globalAveragePoolCall, maxPoolCall } from "./abi.ts";
import { extremum } from "./bitwise.ts";
import { FloatTensor } from "./commitment.ts";
import { convElement, convProof, convVerdict, convWindow, type ConvOperands } from "./conv.ts";
import { dotClaim } from "./dot.ts";
import { toBits } from "./f32.ts";
import { GEMM_DEFAULTS, gemmElement, gemmProof, gemmVerdict, type GemmOperands } from "./gemm.ts";
import { meanClaim } from "./mean.ts";
import { STRICT_FP32 } from "./policy.ts";
import {
  averagePoolElement,
  averagePoolVerdict,
  globalAveragePoolElement,
  globalAveragePoolProof,
  globalAveragePoolVerdict,
  maxPoolVerdict,
  poolProof,
  poolValues,
  type PoolGeometry,
} from "./pool.ts";
import { roundToFloat32 } from "./round.ts";
import { exactValueAndBound, type SumClaim } from "./sum.ts";
import { Verdict } from "./verdict.ts";
import { windowRuns, type WindowAttributes } from "./window.ts";

/** anvil's first default account: deploys and estimates. */
const DEPLOYER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const P = STRICT_FP32;

const honest = (claim: SumClaim) => roundToFloat32(exactValueAndBound(claim, P).y);

function tensor(rng: Rng, shape: number[], layout: Layout = Layout.ROW_MAJOR): FloatTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new FloatTensor(
    shape,
    Uint32Array.from({ length: n }, () => toBits(Math.fround(rng.u32() / 2 ** 32 - 0.5))),
    layout,
  );
}

/** One measured call: its calldata and the verdict the reference gives. */
interface Call {
  readonly name: string;
  readonly data: Hex;
  readonly verdict: number;
}

/** Siblings a word-set opening of the window carries, against one range opening per run. */
export interface OpeningSize {
  readonly words: number;
  readonly siblings: number;
  readonly perRunWords: number;
  readonly perRunSiblings: number;
}

function openingSize(ops: ConvOperands, g: WindowAttributes, outIndex: number): OpeningSize {
  const { window } = convWindow(ops, g, outIndex);
  const proof = convProof(ops, g, outIndex, 0, P);
  let perRunWords = 0;
  let perRunSiblings = 0;
  for (const run of windowRuns(window)) {
    const opening = ops.x.openRange(run.start, run.count).opening;
    perRunWords += opening.words.length;
    perRunSiblings += opening.proof.length;
  }
  return { words: proof.x.words.length, siblings: proof.x.proof.length, perRunWords, perRunSiblings };
}

function calls(): { calls: Call[]; conv: Record<string, OpeningSize> } {
  const rng = new Rng(0xc0de);
  const out: Call[] = [];
  const cnn: ConvOperands = {
    x: tensor(rng, [1, 16, 14, 14]),
    w: tensor(rng, [32, 16, 3, 3]),
    bias: tensor(rng, [32]),
  };
  const g: WindowAttributes = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1] };
  const conv: Record<string, OpeningSize> = {};
  for (const [name, o] of [
    ["interior", 5 * 196 + 7 * 14 + 7],
    ["corner", 5 * 196],
  ] as const) {
    const claimed = honest(dotClaim(convElement(cnn, g, o, 0)));
    out.push({
      name: `conv.16x14x14.3x3.${name}`,
      data: convCall(convProof(cnn, g, o, claimed, P), P),
      verdict: convVerdict(cnn, g, o, claimed, P),
    });
    conv[name] = openingSize(cnn, g, o);
  }
  for (const k of [1568, 784]) {
    const ops: GemmOperands = {
      a: tensor(rng, [1, k]),
      b: tensor(rng, [k, 64], Layout.TRANSPOSED),
      c: tensor(rng, [64]),
    };
    const o = 37;
    const claimed = honest(dotClaim(gemmElement(ops, GEMM_DEFAULTS, o, 0)));
    out.push({
      name: `gemm.${k}x64`,
      data: gemmCall(gemmProof(ops, GEMM_DEFAULTS, o, claimed, P), P),
      verdict: gemmVerdict(ops, GEMM_DEFAULTS, o, claimed, P),
    });
  }
  const x = tensor(rng, [1, 32, 14, 14]);
  const max: PoolGeometry = {
    kernel: [2, 2],
    strides: [2, 2],
    pads: [0, 0, 0, 0],
    dilations: [1, 1],
    countIncludePad: false,
  };
  const mo = 5 * 49 + 3 * 7 + 3;
  const top = extremum(poolValues(x, max, mo), true) as number;
  out.push({
    name: "maxPool.2x2",
    data: maxPoolCall(poolProof(x, max, mo, top, P)),
    verdict: maxPoolVerdict(x, max, mo, top),
  });
  const avg: PoolGeometry = {
    kernel: [3, 3],
    strides: [1, 1],
    pads: [1, 1, 1, 1],
    dilations: [1, 1],
    countIncludePad: false,
  };
  const ao = 5 * 196 + 7 * 14 + 7;
  const mean = honest(meanClaim(averagePoolElement(x, avg, ao, 0)));
  out.push({
    name: "averagePool.3x3",
    data: averagePoolCall(poolProof(x, avg, ao, mean, P), P),
    verdict: averagePoolVerdict(x, avg, ao, mean, P),
  });
  const gx = tensor(rng, [1, 32, 7, 7]);
  const gm = honest(meanClaim(globalAveragePoolElement(gx, 9, 0)));
  out.push({
    name: "globalAveragePool.7x7",
    data: globalAveragePoolCall(globalAveragePoolProof(gx, 9, gm, P), P),
    verdict: globalAveragePoolVerdict(gx, 9, gm, P),
  });
  return { calls: out, conv };
}

export async function measureOperatorGas(): Promise<{
  gas: Record<string, number>;
  convOpenings: Record<string, OpeningSize>;
}> {
  const { calls: list, conv } = calls();
  const anvil = await startAnvil({ args: ["--gas-limit", "1000000000"] });
  try {
    const transport = http(anvil.rpcUrl);
    const client = createPublicClient({ chain: foundry, transport });
    const wallet = createWalletClient({ chain: foundry, transport, account: DEPLOYER });
    const artifact = loadArtifact("contracts/ops/float/FloatOneStep.sol", "FloatOneStep");
    const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
    const address = (await client.waitForTransactionReceipt({ hash })).contractAddress;
    if (!address) throw new Error("FloatOneStep deployment created no contract");
    const gas: Record<string, number> = {};
    for (const c of list) {
      if (c.verdict !== Verdict.ADMISSIBLE)
        throw new Error(`${c.name}: the reference gives ${c.verdict} for an honest claim`);
      const { data } = await client.call({ to: address, data: c.data, account: DEPLOYER });
      if (data === undefined || Number(BigInt(data)) !== c.verdict)
        throw new Error(`${c.name}: contract verdict ${data}`);
      gas[c.name] = Number(await client.estimateGas({ to: address, data: c.data, account: DEPLOYER }));
    }
    return { gas, convOpenings: conv };
  } finally {
    await anvil.stop();
  }
}
