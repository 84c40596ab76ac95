/**
 * Gas of `OneStepVerifier.execute` (eth_estimateGas on anvil: the whole call as
 * a transaction, 21,000 intrinsic and calldata included) for one representative
 * node per opcode and for MatMulInteger at K = 64, 784 and 4096. Writes the
 * snapshot bench/gas-onestep.json and holds every figure under a ceiling far
 * below a block, so the one-step check can never become unprovable by gas.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { Source, ZERO_ROOT, type NodeDescriptor, type Operand } from "../../src/graph/descriptor.ts";
import { Opcode, type OpName } from "../../src/graph/opcode.ts";
import { buildOneStepProof, oneStepArgs } from "../../src/proof/oneStep.ts";
import { CaseRng, randomTensor } from "../../src/reference/cases.ts";
import { evaluateElement } from "../../src/reference/evaluate.ts";
import { TensorCommitment } from "../../src/tensor/commitment.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { elementCount, Layout, type TensorSpec } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { toAbiSpec } from "../../src/tensor/spec.ts";
import { toAbiOpening } from "../../src/proof/oneStep.ts";
import { deploy, DEPLOYER, deployVerifier, type Deployed, type DeployedVerifier } from "./verifier.ts";

/**
 * Gas ceilings, about 1.4× the measured figures: a regression guard (the snapshot file shows
 * the exact change), and a proof that every one-step check stays far below a 30M-gas block.
 */
const CEILING = 150_000;
const CEILINGS: Record<string, number> = {
  "MatMulInteger.K784": 300_000,
  "MatMulInteger.K4096": 800_000,
};

interface GasCase {
  readonly key: string;
  readonly node: NodeDescriptor;
  readonly operands: (Tensor | undefined)[];
}

const rng = new CaseRng(0x6a5);
const row = (dtype: DType, shape: number[]): TensorSpec => ({ dtype, layout: Layout.ROW_MAJOR, shape });
const rand = (dtype: DType, shape: number[], layout: Layout = Layout.ROW_MAJOR) =>
  randomTensor(rng, dtype, shape, "edge", layout);

/** A node whose tensor operands are JOB_INPUT (`x`) or CONSTANT (`c`); undefined is ABSENT. */
function gasCase(
  key: string,
  op: OpName,
  inputs: ({ t: Tensor; constant?: boolean } | undefined)[],
  output: TensorSpec,
  attrs: bigint[] = [],
): GasCase {
  const operands = inputs.map((i) => i?.t);
  const node: NodeDescriptor = {
    opcode: Opcode[op],
    inputs: inputs.map((i): Operand =>
      i === undefined
        ? { source: Source.ABSENT, index: 0, root: ZERO_ROOT, spec: row(0 as DType, []) }
        : i.constant
          ? { source: Source.CONSTANT, index: 0, root: new TensorCommitment(i.t).root, spec: i.t.spec }
          : { source: Source.NODE_OUTPUT, index: 0, root: ZERO_ROOT, spec: i.t.spec },
    ),
    output,
    attrs,
  };
  return { key, node, operands };
}

const x = (t: Tensor) => ({ t });
const c = (t: Tensor) => ({ t, constant: true });

function matMul(key: string, k: number, n: number, zeroPoints: boolean, a: DType, b: DType): GasCase {
  const inputs = [x(rand(a, [1, k])), c(rand(b, [k, n], Layout.TRANSPOSED))];
  if (zeroPoints) inputs.push(c(rand(a, [])), c(rand(b, [n])));
  return gasCase(key, "MatMulInteger", inputs, row(DType.INT32, [1, n]));
}

function cases(): GasCase[] {
  const I8 = DType.INT8;
  const I32 = DType.INT32;
  const h = row(I32, [1, 128]);
  return [
    matMul("MatMulInteger", 128, 10, true, I8, I8),
    gasCase("Add", "Add", [x(rand(I32, [1, 128])), c(rand(I32, [128]))], h),
    gasCase("Sub", "Sub", [x(rand(I32, [1, 128])), x(rand(I32, [1, 128]))], h),
    gasCase("Mul", "Mul", [x(rand(I32, [1, 128])), c(Tensor.fromBigInts(row(I32, []), [1234n]))], h),
    gasCase("Div", "Div", [x(rand(I32, [1, 128])), c(Tensor.fromBigInts(row(I32, []), [65536n]))], h),
    gasCase(
      "Clip",
      "Clip",
      [
        x(rand(I32, [1, 128])),
        c(Tensor.fromBigInts(row(I32, []), [-128n])),
        c(Tensor.fromBigInts(row(I32, []), [127n])),
      ],
      h,
    ),
    gasCase("Relu", "Relu", [x(rand(I8, [1, 128]))], row(I8, [1, 128])),
    gasCase("Max", "Max", [x(rand(I32, [1, 128])), x(rand(I32, [1, 128]))], h),
    gasCase("Min", "Min", [x(rand(I32, [1, 128])), c(rand(I32, [1]))], h),
    gasCase("Cast", "Cast", [x(rand(I32, [1, 128]))], row(I8, [1, 128]), [BigInt(I8)]),
    gasCase(
      "Reshape",
      "Reshape",
      [x(rand(I8, [1, 28, 28])), c(Tensor.fromBigInts(row(DType.INT64, [2]), [1n, 784n]))],
      row(I8, [1, 784]),
    ),
    gasCase("Flatten", "Flatten", [x(rand(I8, [1, 1, 28, 28]))], row(I8, [1, 784]), [1n]),
    gasCase("Identity", "Identity", [x(rand(I8, [1, 784]))], row(I8, [1, 784])),
    gasCase(
      "Gather",
      "Gather",
      [
        c(rand(I8, [1000, 64])),
        x(
          Tensor.fromBigInts(
            row(DType.INT64, [1, 16]),
            Array.from({ length: 16 }, (_, i) => BigInt(i * 61 - 500)),
          ),
        ),
      ],
      row(I8, [1, 16, 64]),
      [0n],
    ),
    gasCase("ArgMax", "ArgMax", [x(rand(I32, [1, 10]))], row(DType.INT64, [1, 1]), [-1n, 1n, 0n]),
    matMul("MatMulInteger.K64", 64, 128, true, DType.UINT8, I8),
    matMul("MatMulInteger.K784", 784, 128, true, DType.UINT8, I8),
    matMul("MatMulInteger.K4096", 4096, 128, true, DType.UINT8, I8),
  ];
}

let verifier: DeployedVerifier;
let harness: Deployed;

before(async () => {
  verifier = await deployVerifier();
  harness = await deploy(verifier, "contracts/test/OneStepHarness.sol", "OneStepHarness");
});

after(async () => {
  await verifier?.anvil.stop();
});

test("execute gas per opcode and per MatMulInteger K stays under its ceiling (bench/gas-onestep.json)", async (t) => {
  const gas: Record<string, number> = {};
  for (const g of cases()) {
    const commitments = g.operands.map((op) => (op === undefined ? undefined : new TensorCommitment(op)));
    // The last output element: its operands' openings reach the far end of every tree.
    const outIndex = elementCount(g.node.output.shape) - 1;
    const proof = buildOneStepProof({ node: g.node, operands: commitments, outIndex });
    const call = {
      address: verifier.address,
      abi: verifier.abi,
      functionName: "execute",
      args: oneStepArgs(g.node, proof),
    } as const;
    const value = (await verifier.client.readContract(call)) as bigint;
    assert.equal(value, evaluateElement(g.node, g.operands, outIndex), `${g.key}: on-chain value`);
    gas[g.key] = Number(await verifier.client.estimateContractGas({ ...call, account: DEPLOYER }));
    t.diagnostic(`${g.key}: ${gas[g.key]} gas`);
  }
  mkdirSync(new URL("../../bench/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../../bench/gas-onestep.json", import.meta.url), JSON.stringify(gas, null, 2) + "\n");
  for (const [key, used] of Object.entries(gas)) {
    const ceiling = CEILINGS[key] ?? CEILING;
    assert.ok(used < ceiling, `${key}: ${used} gas, ceiling ${ceiling}`);
  }
  for (const op of Object.keys(Opcode)) assert.ok(gas[op] !== undefined, `no gas figure for ${op}`);
});

test("MatMulInteger K = 4096: where the gas goes, packed dot product against extracted int256 arrays", async (t) => {
  const g = matMul("MatMulInteger.K4096", 4096, 128, false, DType.UINT8, DType.INT8);
  const [a, b] = g.operands.map((op) => new TensorCommitment(op as Tensor));
  const outIndex = 127;
  const proof = buildOneStepProof({ node: g.node, operands: [a, b], outIndex });
  const [aOpen, bOpen] = proof.openings;
  const [aDep, bDep] = proof.dependencies;
  const read = async (functionName: string, args: readonly unknown[]) =>
    (await verifier.client.readContract({ address: harness.address, abi: harness.abi, functionName, args })) as unknown;
  const verifyA = (await read("verifyGas", [a.root, toAbiSpec(a.spec), toAbiOpening(aOpen)])) as bigint;
  const verifyB = (await read("verifyGas", [b.root, toAbiSpec(b.spec), toAbiOpening(bOpen)])) as bigint;
  const [packedValue, packed] = (await read("dotPackedGas", [
    aOpen.words,
    BigInt(aDep.start - aOpen.firstWord * 32),
    false,
    0n,
    bOpen.words,
    BigInt(bDep.start - bOpen.firstWord * 32),
    true,
    0n,
    4096n,
  ])) as [bigint, bigint];
  const [extractedValue, extracted] = (await read("dotExtractedGas", [
    toAbiSpec(a.spec),
    toAbiOpening(aOpen),
    BigInt(aDep.start),
    toAbiSpec(b.spec),
    toAbiOpening(bOpen),
    BigInt(bDep.start),
    4096n,
    0n,
    0n,
  ])) as [bigint, bigint];
  const expected = evaluateElement(g.node, g.operands, outIndex);
  assert.equal(packedValue, expected);
  assert.equal(extractedValue, expected);
  const parts = {
    "verify.A": Number(verifyA),
    "verify.B": Number(verifyB),
    "dot.packed": Number(packed),
    "dot.extractedInt256Arrays": Number(extracted),
  };
  t.diagnostic(JSON.stringify(parts));
  writeFileSync(
    new URL("../../bench/gas-onestep-k4096-parts.json", import.meta.url),
    JSON.stringify(parts, null, 2) + "\n",
  );
  // The packed kernel is why the one-step check is cheap: keep it an order of magnitude ahead.
  assert.ok(packed * 10n < extracted, `packed ${packed} vs extracted ${extracted}`);
});
