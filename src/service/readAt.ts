import {
  decodeFunctionResult,
  encodeFunctionData,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hex,
  type PublicClient,
} from "viem";

/**
 * `eth_call` at a block hash (EIP-1898, `requireCanonical`): the answer belongs to
 * exactly that block, or the node refuses — never a state from a fork that
 * replaced it. viem's readContract takes only numbers and tags, hence this.
 */
export async function readAt<
  const abi extends Abi,
  name extends ContractFunctionName<abi, "pure" | "view">,
  const args extends ContractFunctionArgs<abi, "pure" | "view", name>,
>(
  client: PublicClient,
  blockHash: Hex,
  call: { address: Address; abi: abi; functionName: name; args: args },
): Promise<ContractFunctionReturnType<abi, "pure" | "view", name, args>> {
  const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args } as never);
  const result = (await client.request({
    method: "eth_call",
    params: [{ to: call.address, data }, { blockHash, requireCanonical: true } as never],
  })) as Hex;
  return decodeFunctionResult({
    abi: call.abi,
    functionName: call.functionName,
    data: result,
  } as never) as ContractFunctionReturnType<abi, "pure" | "view", name, args>;
}
