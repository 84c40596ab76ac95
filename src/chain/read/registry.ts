/** Reads of the ModelRegistry: a registration, and whether one exists. */
import type { Address, Client, ContractFunctionReturnType, Hex } from "viem";
import { readContract } from "viem/actions";
import { modelRegistryAbi } from "../abis.ts";
import { blockParameter, type AtBlock } from "./block.ts";

/** A registration (ModelSpec): file hash, graph root, node count, profile, tensor specs, URI, parameters. */
export type Model = ContractFunctionReturnType<typeof modelRegistryAbi, "view", "model">;

export interface ModelParameters extends AtBlock {
  /** The ModelRegistry. */
  readonly address: Address;
  readonly modelId: Hex;
}

/** The registration of `modelId` (the registry reverts for an unknown one: see readModelExists). */
export function readModel(client: Client, p: ModelParameters): Promise<Model> {
  return readContract(client, {
    address: p.address,
    abi: modelRegistryAbi,
    functionName: "model",
    args: [p.modelId],
    ...blockParameter(p),
  });
}

export function readModelExists(client: Client, p: ModelParameters): Promise<boolean> {
  return readContract(client, {
    address: p.address,
    abi: modelRegistryAbi,
    functionName: "exists",
    args: [p.modelId],
    ...blockParameter(p),
  });
}
