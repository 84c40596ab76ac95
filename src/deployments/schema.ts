/**
 * The full record `refute deploy` writes to deployments/<network>.json, as a zod schema,
 * and its JSON Schema (deployments/schema.json, for tools outside this package). The
 * loader (load.ts) needs only chainId, addresses and deployBlock and keeps every other
 * field; this schema also pins the fields the deploy command adds, so the documented
 * format (deployments/README.md) and what is written cannot drift apart: a test writes a
 * real deployment and checks it here, and checks the committed JSON Schema against
 * `deploymentJsonSchema()`.
 */
import { z } from "zod";

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "is not a 20-byte hex address")
  .meta({ description: "a 20-byte address, 0x-prefixed hex (checksummed when written)" });
const uint = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, "is not a decimal integer")])
  .meta({ description: "a non-negative integer: a JSON number, or a decimal string when beyond 2^53" });
const seconds = z.number().int().positive();

export const deploymentRecordSchema = z
  .object({
    network: z.string().min(1).meta({ description: "the network name: the file is deployments/<network>.json" }),
    chainId: z.number().int().positive().meta({ description: "EIP-155 chain id the contracts live on" }),
    addresses: z
      .object({
        token: address.meta({ description: "the ERC20 of stakes, fees and bonds" }),
        stakeManager: address,
        modelRegistry: address,
        jobManager: address,
        oneStepVerifier: address,
        disputeGame: address,
        floatStepVerifier: address.optional().meta({
          description: "the float32 profile's one-step verifier (absent from deployments made before it)",
        }),
      })
      .strict(),
    deployBlock: uint.meta({ description: "the block of the first deployment transaction: event scans start here" }),
    parameters: z
      .object({
        unbondingDelay: seconds.meta({ description: "seconds before unbonded stake can leave" }),
        maxChallengeWindow: seconds.meta({ description: "largest challenge window a model may register, seconds" }),
        minResponseWindow: seconds.meta({
          description: "shortest response window a model may register, seconds (StakeManager.minResponseWindow)",
        }),
        maxResponseWindow: seconds.meta({ description: "largest response window a model may register, seconds" }),
        callbackGasLimit: seconds.meta({ description: "gas given to a consumer's callback" }),
        revealWindow: z.number().int().positive().meta({
          description: "blocks within which a challenge commitment must be revealed (DisputeGame.revealWindow)",
        }),
        treasury: address,
        deployer: address,
        testToken: z.boolean().meta({ description: "whether token is a freshly deployed, freely mintable TestToken" }),
      })
      .strict(),
    gitCommit: z
      .string()
      .regex(/^[0-9a-f]{40}(-dirty)?$/)
      .nullable()
      .meta({ description: "the checkout's commit, -dirty with local changes; null outside git" }),
    deployedAt: z.iso.datetime().meta({ description: "ISO-8601 time of the deployment" }),
  })
  .strict()
  .meta({ title: "Refute deployment", description: "deployments/<network>.json, written by refute deploy" });

export type DeploymentRecordJson = z.input<typeof deploymentRecordSchema>;

/** The JSON Schema committed as deployments/schema.json. */
export function deploymentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(deploymentRecordSchema, { io: "input", unrepresentable: "any" });
}
