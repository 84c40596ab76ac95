import { InvalidArgumentError } from "commander";
import { DEFAULT_MODEL_PARAMS, defaultUriFor } from "../model/defaultParams.ts";
import type { ModelParams } from "../model/modelSpec.ts";
import type { ModelSpecOptions } from "../onnx/modelSpecFor.ts";

/** Flags that override the registration defaults of src/model/defaultParams.ts. */
export interface ModelParamFlags {
  readonly uri?: string;
  readonly challengeWindow?: bigint;
  readonly responseWindow?: bigint;
  readonly collateral?: bigint;
  readonly bond?: bigint;
}

/** A commander argument parser for an unsigned integer of `bits` bits (decimal, or 1e18-style). */
export function unsignedFlag(bits: number): (value: string) => bigint {
  return (value) => {
    const v = parseUnsigned(value);
    if (v === undefined || v >= 1n << BigInt(bits)) {
      throw new InvalidArgumentError(`expected an unsigned ${bits}-bit integer, got ${JSON.stringify(value)}`);
    }
    return v;
  };
}

function parseUnsigned(value: string): bigint | undefined {
  const plain = /^\d+$/.exec(value);
  if (plain) return BigInt(value);
  const [, mantissa, exponent] = /^(\d+)e(\d+)$/i.exec(value) ?? [];
  if (mantissa !== undefined && exponent !== undefined && Number(exponent) <= 77)
    return BigInt(mantissa) * 10n ** BigInt(exponent);
  return undefined;
}

export function modelSpecOptions(path: string, flags: ModelParamFlags): ModelSpecOptions {
  const params: ModelParams = {
    challengeWindow: flags.challengeWindow ?? DEFAULT_MODEL_PARAMS.challengeWindow,
    responseWindow: flags.responseWindow ?? DEFAULT_MODEL_PARAMS.responseWindow,
    collateralPerJob: flags.collateral ?? DEFAULT_MODEL_PARAMS.collateralPerJob,
    challengerBond: flags.bond ?? DEFAULT_MODEL_PARAMS.challengerBond,
  };
  return { uri: flags.uri ?? defaultUriFor(path), params };
}
