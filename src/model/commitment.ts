import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";

/**
 * H(abi.encode(uint256 jobId, address provider, bytes32 outputRoot)) — what a challenge names.
 * Only the output is committed: the node roots are posted when a challenge asks for them.
 */
export function commitmentHashOf(jobId: bigint, provider: Address, outputRoot: Hex): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "uint256" }, { type: "address" }, { type: "bytes32" }], [jobId, provider, outputRoot]),
  );
}
