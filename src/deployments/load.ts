/**
 * deployments/<network>.json: where one deployment of the protocol lives. Written by
 * the deploy command, read by every daemon and tool:
 *
 *     {
 *       "chainId": 31337,
 *       "addresses": { "token": "0x…", "stakeManager": "0x…", "modelRegistry": "0x…",
 *                      "jobManager": "0x…", "oneStepVerifier": "0x…", "disputeGame": "0x…" },
 *       "deployBlock": 1,
 *       "parameters": { … },  // optional: protocol parameters as deployed
 *       "gitCommit": "…"      // optional
 *     }
 *
 * Numbers may be JSON numbers or decimal strings; unknown fields are kept.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getAddress, isAddress, type Address } from "viem";
import { z } from "zod";
import type { ProtocolAddresses } from "../client/contracts.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const address = z.string().refine((s) => isAddress(s, { strict: false }), "is not a 20-byte hex address");
const uint = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, "is not a decimal integer")])
  .transform((v) => BigInt(v));

export const deploymentSchema = z.looseObject({
  chainId: z
    .union([z.number().int().positive(), z.string().regex(/^\d+$/)])
    .transform((v) => Number(v))
    .refine((n) => Number.isSafeInteger(n) && n > 0, "must be a positive integer"),
  addresses: z.object({
    token: address,
    stakeManager: address,
    modelRegistry: address,
    jobManager: address,
    oneStepVerifier: address,
    disputeGame: address,
    // Absent from deployments made before the float32 profile's verifier.
    floatStepVerifier: address.optional(),
  }),
  deployBlock: uint,
});

/** A deployment as the daemons use it. */
export interface DeploymentFile {
  readonly chainId: number;
  readonly addresses: ProtocolAddresses;
  readonly deployBlock: bigint;
  /** Every other field of the file, as written. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The file is missing, not JSON, or a field is wrong; `field` is the JSON path. */
export class DeploymentFileError extends Error {
  override readonly name = "DeploymentFileError";
  constructor(
    readonly path: string,
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * deployments/<network>.json of this checkout; `REFUTE_DEPLOYMENTS_DIR` names another
 * folder (tests that run documented commands use it to keep the checkout's untouched).
 */
export function deploymentPath(network: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env["REFUTE_DEPLOYMENTS_DIR"];
  return join(dir !== undefined && dir !== "" ? resolve(dir) : join(ROOT, "deployments"), `${network}.json`);
}

/** Reads and validates a deployment file. */
export function loadDeployment(path: string): DeploymentFile {
  if (!existsSync(path)) throw new DeploymentFileError(path, undefined, `${path} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new DeploymentFileError(path, undefined, `${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseDeployment(json, path);
}

/** Validates a parsed deployment object (`source` names it in errors). */
export function parseDeployment(json: unknown, source = "deployment"): DeploymentFile {
  const r = deploymentSchema.safeParse(json);
  if (!r.success) {
    // zod reports at least one issue on failure; the first is the one worth naming.
    const [issue] = r.error.issues;
    const field = issue?.path.join(".") ?? "";
    throw new DeploymentFileError(source, field, `${source}: ${field || "(root)"} ${issue?.message ?? "is invalid"}`);
  }
  const { chainId, addresses, deployBlock, ...extra } = r.data;
  const a = (s: string): Address => getAddress(s);
  return {
    chainId,
    deployBlock,
    addresses: {
      token: a(addresses.token),
      stakeManager: a(addresses.stakeManager),
      modelRegistry: a(addresses.modelRegistry),
      jobManager: a(addresses.jobManager),
      oneStepVerifier: a(addresses.oneStepVerifier),
      disputeGame: a(addresses.disputeGame),
      ...(addresses.floatStepVerifier === undefined ? {} : { floatStepVerifier: a(addresses.floatStepVerifier) }),
    },
    extra,
  };
}

/** The JSON text of a deployment (numbers as JSON numbers where safe, else decimal strings). */
export function renderDeployment(d: {
  chainId: number;
  addresses: ProtocolAddresses;
  deployBlock: bigint;
  extra?: Readonly<Record<string, unknown>>;
}): string {
  const block = d.deployBlock <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(d.deployBlock) : d.deployBlock.toString();
  const body = { ...(d.extra ?? {}), chainId: d.chainId, addresses: d.addresses, deployBlock: block };
  return `${JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}

/** Writes a deployment file (creating nothing but the file; the folder must exist). */
export function saveDeployment(path: string, d: Parameters<typeof renderDeployment>[0]): void {
  if (!existsSync(dirname(path))) throw new DeploymentFileError(path, undefined, `folder ${dirname(path)} does not exist`);
  writeFileSync(path, renderDeployment(d));
}
