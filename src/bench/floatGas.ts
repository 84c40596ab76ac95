/**
 * Gas of the float profile's dot-product check (FloatOneStep, docs/PROTOCOL.md §11.4) for one
 * MatMul element at K = 64, 784 and 4096 with B `[K, 128]`: eth_estimateGas of the whole call
 * as a transaction on a fresh anvil — 21,000 intrinsic, the calldata of both operand openings
 * and their Merkle proofs, the two openings' verification against the tensor roots, and the
 * exact dot product — for an honest claim and for one 1.1·B away. `dotVerdict` (the runs
 * without openings) is measured beside it.
 */
import { createPublicClient, createWalletClient, http, type Address, type Hex } from "viem";
import { foundry } from "viem/chains";
import { startAnvil } from "../chain/anvil.ts";
import { loadArtifact } from "../chain/artifacts.ts";
import { claimAt } from "../float/claims.ts";
import { dotClaim, dotVerdict, type DotElement } from "../float/dot.ts";
import { toBits } from "../float/f32.ts";
import { STRICT_FP32 } from "../float/policy.ts";
import { roundToFloat32 } from "../float/round.ts";
import { canonicalHint, exactValueAndBound } from "../float/sum.ts";
import { packRun } from "../float/vectors.ts";
import { Verdict } from "../float/verdict.ts";
import { tensorRootOf } from "../tensor/commitment.ts";
import type { DType } from "../tensor/dtype.ts";
import { MerkleTree } from "../tensor/merkle.ts";
import { Layout, type TensorSpec } from "../tensor/spec.ts";
import { Rng } from "../vectors/rng.ts";

/** anvil's first default account: deploys and estimates. */
const DEPLOYER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const FLOAT = 1 as DType;
const N = 128;
export const FLOAT_GAS_KS = [64, 784, 4096] as const;

interface Operand {
  readonly root: Hex;
  readonly spec: { dtype: number; layout: number; shape: number[] };
  readonly opening: { firstWord: bigint; words: Hex[]; proof: Hex[] };
}

/** An fp32 tensor committed as docs/PROTOCOL.md §2-§4 pack it, opened on the run `[start, start + count)`. */
function operand(spec: TensorSpec, bits: readonly number[], start: number, count: number): Operand {
  const words = packRun(bits, 0, () => 0) as Hex[];
  const tree = MerkleTree.fromHexLeaves(words);
  const first = Math.floor(start / 8);
  const last = Math.floor((start + count - 1) / 8);
  return {
    root: tensorRootOf(spec, tree.root),
    spec: { dtype: spec.dtype, layout: spec.layout, shape: [...spec.shape] },
    opening: { firstWord: BigInt(first), words: words.slice(first, last + 1), proof: tree.rangeProof(first, last) },
  };
}

export interface FloatGasFigure {
  readonly matMul: number;
  readonly matMulViolating: number;
  readonly dotRunsOnly: number;
}

export async function measureFloatGas(): Promise<Record<string, FloatGasFigure>> {
  const anvil = await startAnvil({ args: ["--gas-limit", "1000000000"] });
  try {
    const transport = http(anvil.rpcUrl);
    const client = createPublicClient({ chain: foundry, transport });
    const wallet = createWalletClient({ chain: foundry, transport, account: DEPLOYER });
    const artifact = loadArtifact("contracts/ops/float/FloatOneStep.sol", "FloatOneStep");
    const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
    const address = (await client.waitForTransactionReceipt({ hash })).contractAddress;
    if (!address) throw new Error("FloatOneStep deployment created no contract");
    const rng = new Rng(0xf1);
    const value = () => toBits(Math.fround((rng.u32() / 2 ** 32 - 0.5) * 4));
    const policy = { version: 1, accumulationBits: 24, inputBits: 0, etaExponent: -124, transcendentalUlps: 0 };
    const out: Record<string, FloatGasFigure> = {};
    for (const k of FLOAT_GAS_KS) {
      const a = Array.from({ length: k }, value);
      const b = Array.from({ length: k * N }, value); // B transposed: column n is [n·K, K)
      const n = 77;
      const column = b.slice(n * k, (n + 1) * k);
      const element: DotElement = { a, b: column, claimed: 0 };
      const claim = dotClaim(element);
      const { y, bound } = exactValueAndBound(claim, STRICT_FP32);
      const hint = BigInt(canonicalHint(claim.terms, STRICT_FP32));
      const honest = roundToFloat32(y);
      const violating = claimAt(y, bound, 1.1, 1, false);
      if (dotVerdict({ ...element, claimed: honest }, STRICT_FP32) !== Verdict.ADMISSIBLE) throw new Error("reference flags y");
      const A = operand({ dtype: FLOAT, layout: Layout.ROW_MAJOR, shape: [1, k] }, a, 0, k);
      const B = operand({ dtype: FLOAT, layout: Layout.TRANSPOSED, shape: [k, N] }, b, n * k, k);
      const measure = async (claimed: number, expected: number) => {
        const args = [A, B, BigInt(n), claimed, hint, policy] as const;
        const request = { address, abi: artifact.abi, functionName: "matMulVerdict", args, account: DEPLOYER } as const;
        const verdict = await client.readContract(request);
        if (Number(verdict) !== expected) throw new Error(`K = ${k}: verdict ${verdict}, expected ${expected}`);
        return Number(await client.estimateContractGas(request));
      };
      const runs = {
        aWords: packRun(a, 0, () => 0),
        aOffset: 0n,
        bWords: packRun(column, 0, () => 0),
        bOffset: 0n,
        k: BigInt(k),
        gemm: { hasBias: false, bias: 0, alpha: toBits(1), beta: toBits(1) },
        claimed: honest,
        hint,
      };
      out[String(k)] = {
        matMul: await measure(honest, Verdict.ADMISSIBLE),
        matMulViolating: await measure(violating, Verdict.VIOLATES),
        dotRunsOnly: Number(
          await client.estimateContractGas({
            address,
            abi: artifact.abi,
            functionName: "dotVerdict",
            args: [runs, policy],
            account: DEPLOYER,
          }),
        ),
      };
    }
    return out;
  } finally {
    await anvil.stop();
  }
}
