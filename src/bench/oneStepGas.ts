/**
 * Gas of `OneStepVerifier.execute` (eth_estimateGas on a fresh anvil: the whole call as
 * a transaction, 21,000 intrinsic and calldata included) for one representative node per
 * opcode and for MatMulInteger at K = 64, 784 and 4096, and where the gas of the K = 4096
 * check goes (OneStepHarness: the two openings' verification, the packed dot product and,
 * for comparison, a dot product over extracted int256 arrays).
 *
 * `npm run gas` (scripts/gas.ts) writes these figures into bench/gas.json (`oneStep`) and
 * bench/gas-onestep-k4096-parts.json; test/ops/gas.test.ts measures them again and holds
 * them to those files exactly. The cases come from one fixed seed, in a fixed order, so a
 * run measures the same calls every time.
 */
import { createPublicClient, createWalletClient, http, type Abi, type Address, type PublicClient } from "viem";
import { foundry } from "viem/chains";
import { startAnvil, type AnvilNode } from "../chain/anvil.ts";
import { loadArtifact } from "../chain/artifacts.ts";
import { Source, ZERO_ROOT, type NodeDescriptor, type Operand } from "../graph/descriptor.ts";
import { Opcode, type OpName } from "../graph/opcode.ts";
import { buildOneStepProof, oneStepArgs, toAbiOpening } from "../proof/oneStep.ts";
import { CaseRng, randomTensor } from "../reference/cases.ts";
import { evaluateElement } from "../reference/evaluate.ts";
import { TensorCommitment } from "../tensor/commitment.ts";
import { DType } from "../tensor/dtype.ts";
import { elementCount, Layout, toAbiSpec, type TensorSpec } from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";

/** anvil's first default account (unlocked on every anvil node): deploys and estimates. */
const DEPLOYER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/** The seed of every case measured here. */
const SEED = 0x6a5;

export interface DeployedContract {
  readonly address: Address;
  readonly abi: Abi;
}

/** A fresh anvil with a OneStepVerifier and a OneStepHarness deployed, in that order. */
export interface OneStepChain {
  readonly anvil: AnvilNode;
  readonly client: PublicClient;
  readonly verifier: DeployedContract;
  readonly harness: DeployedContract;
  stop(): Promise<void>;
}

export async function openOneStepChain(): Promise<OneStepChain> {
  // The block gas limit is raised so that no measured call is cut off by it.
  const anvil = await startAnvil({ args: ["--gas-limit", "1000000000"] });
  try {
    const transport = http(anvil.rpcUrl, { batch: { batchSize: 100 } });
    const client = createPublicClient({ chain: foundry, transport });
    const wallet = createWalletClient({ chain: foundry, transport, account: DEPLOYER });
    const deploy = async (sourcePath: string, name: string): Promise<DeployedContract> => {
      const artifact = loadArtifact(sourcePath, name);
      const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (!receipt.contractAddress) throw new Error(`${name} deployment created no contract`);
      return { address: receipt.contractAddress, abi: artifact.abi };
    };
    const verifier = await deploy("contracts/OneStepVerifier.sol", "OneStepVerifier");
    const harness = await deploy("contracts/test/OneStepHarness.sol", "OneStepHarness");
    return { anvil, client, verifier, harness, stop: () => anvil.stop() };
  } catch (e) {
    await anvil.stop();
    throw e;
  }
}

interface GasCase {
  readonly key: string;
  readonly node: NodeDescriptor;
  readonly operands: (Tensor | undefined)[];
}

const row = (dtype: DType, shape: number[]): TensorSpec => ({ dtype, layout: Layout.ROW_MAJOR, shape });

/** The case builders, drawing their random tensors from `rng` in call order. */
function builders(rng: CaseRng) {
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

  return { cases, matMul };
}

/** The gas split of one MatMulInteger check at K = 4096 (bench/gas-onestep-k4096-parts.json). */
export interface K4096Parts {
  readonly "verify.A": number;
  readonly "verify.B": number;
  readonly "dot.packed": number;
  readonly "dot.extractedInt256Arrays": number;
}

export interface OneStepGas {
  /** Gas of `execute` per case, in case order (bench/gas.json `oneStep`). */
  readonly gas: Record<string, number>;
  /** The element `execute` returned for each case, and the reference evaluator's. */
  readonly values: readonly { readonly key: string; readonly onChain: bigint; readonly reference: bigint }[];
  readonly k4096Parts: K4096Parts;
  /** The dot products of the K = 4096 split, and the reference evaluator's element. */
  readonly k4096Values: { readonly packed: bigint; readonly extracted: bigint; readonly reference: bigint };
}

/**
 * Measures every figure on `chain` (a fresh one from `openOneStepChain`). Only calls and
 * estimates: the chain's state is not changed.
 */
export async function measureOneStepGas(chain: OneStepChain): Promise<OneStepGas> {
  const { client, verifier, harness } = chain;
  const { cases, matMul } = builders(new CaseRng(SEED));
  const gas: Record<string, number> = {};
  const values: { key: string; onChain: bigint; reference: bigint }[] = [];
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
    const onChain = (await client.readContract(call)) as bigint;
    values.push({ key: g.key, onChain, reference: evaluateElement(g.node, g.operands, outIndex) });
    gas[g.key] = Number(await client.estimateContractGas({ ...call, account: DEPLOYER }));
  }

  // Drawn after the cases above, from the same generator.
  const g = matMul("MatMulInteger.K4096", 4096, 128, false, DType.UINT8, DType.INT8);
  const [ta, tb] = g.operands;
  if (ta === undefined || tb === undefined) throw new Error(`${g.key} needs both operands as tensors`);
  const [a, b] = [new TensorCommitment(ta), new TensorCommitment(tb)];
  const outIndex = 127;
  const proof = buildOneStepProof({ node: g.node, operands: [a, b], outIndex });
  const [aOpen, bOpen] = proof.openings;
  const [aDep, bDep] = proof.dependencies;
  if (aOpen === undefined || bOpen === undefined || aDep === undefined || bDep === undefined)
    throw new Error(`the proof of ${g.key} opens both operands`);
  const read = async (functionName: string, args: readonly unknown[]) =>
    (await client.readContract({ address: harness.address, abi: harness.abi, functionName, args })) as unknown;
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
  return {
    gas,
    values,
    k4096Parts: {
      "verify.A": Number(verifyA),
      "verify.B": Number(verifyB),
      "dot.packed": Number(packed),
      "dot.extractedInt256Arrays": Number(extracted),
    },
    k4096Values: {
      packed: packedValue,
      extracted: extractedValue,
      reference: evaluateElement(g.node, g.operands, outIndex),
    },
  };
}
