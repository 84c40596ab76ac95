import { basename } from "node:path";
import type { ModelParams } from "./modelSpec.ts";

/**
 * Registration defaults used when a tool computes a modelId without being
 * told the economics (e.g. `refute model inspect`). A modelId binds these, so
 * the same file under other parameters is another model.
 */
export const DEFAULT_MODEL_PARAMS: ModelParams = {
  /** Seconds a commitment can be challenged. */
  challengeWindow: 600n,
  /** Seconds each side has for a dispute move. */
  responseWindow: 300n,
  /** Collateral a provider locks per job, in token base units (100 tokens of 18 decimals). */
  collateralPerJob: 100n * 10n ** 18n,
  /** Bond a challenger posts, in token base units (10 tokens of 18 decimals). */
  challengerBond: 10n * 10n ** 18n,
};

/** Default model URI for a local file: `file://<basename>`, so the id does not depend on where the file sits. */
export function defaultUriFor(path: string): string {
  return `file://${basename(path)}`;
}
