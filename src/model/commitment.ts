import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";

/** H(abi.encode(uint256 jobId, address provider, bytes32 outputRoot, bytes32 traceRoot)) — what a challenge names. */
export function commitmentHashOf(jobId: bigint, provider: Address, outputRoot: Hex, traceRoot: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
      [jobId, provider, outputRoot, traceRoot],
    ),
  );
}
