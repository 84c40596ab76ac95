/**
 * Fetching a provider's served trace of one job. The server belongs to the party being
 * checked, so it is read as a hostile one: a timeout per try (the whole body included),
 * the body cut off past a cap the caller derives from the model's node specs, no
 * redirects. A try that fails (network, HTTP status, timeout) is tried again a bounded
 * number of times after a growing pause; a body over the cap is not (it would be again).
 */
import { readCapped } from "../../src/service/readCapped.ts";

export interface TraceFetchPolicy {
  readonly timeoutMs: number;
  /** Tries in all, at least 1. */
  readonly attempts: number;
  /** Pause before the second try, doubled before each later one, ms. */
  readonly backoffMs: number;
}

export type TraceFetch =
  | { readonly kind: "ok"; readonly body: Uint8Array }
  | { readonly kind: "unavailable"; readonly reason: string }
  | { readonly kind: "oversized"; readonly reason: string };

export async function fetchTrace(url: URL, maxBytes: number, policy: TraceFetchPolicy): Promise<TraceFetch> {
  let reason = "no try made";
  for (let attempt = 0; attempt < Math.max(1, policy.attempts); attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, policy.backoffMs * 2 ** (attempt - 1)));
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(policy.timeoutMs), redirect: "error" });
      if (!res.ok) {
        await res.body?.cancel();
        reason = `${url.href}: HTTP ${res.status}`;
        continue;
      }
      const body = await readCapped(res, maxBytes);
      if (body === undefined)
        return {
          kind: "oversized",
          reason: `${url.href} sent more than the ${maxBytes} bytes a trace of the model takes`,
        };
      return { kind: "ok", body };
    } catch (e) {
      reason = `${url.href}: ${(e as Error).message}`;
    }
  }
  return { kind: "unavailable", reason };
}
