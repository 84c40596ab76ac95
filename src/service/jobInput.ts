/**
 * A job's input as a daemon gets it: inline in the JobRequested event, or — for a
 * job requested with `requestWithRoot` — fetched from its URI and checked against
 * the `inputRoot` the chain holds. The provider traces it; the watcher re-executes
 * it and proves operand elements of the input against that same root.
 *
 * The URI is chosen by the requester, anyone, so fetching it is guarded:
 * - http(s) only: a requester must never make a daemon read its own disk;
 * - `allowedHosts` (operator setting) limits where requests go at all;
 * - the body is read as a stream and cut off past the exact packed size of the
 *   model's input, so a hostile server cannot make the daemon buffer gigabytes;
 * - a timeout per fetch.
 * A fetch that fails (network, HTTP status) may succeed later: `retry`. Bytes that
 * are not the committed input (size, root) never will: `refused`.
 */
import type { Hex } from "viem";
import { tensorRoot } from "../tensor/commitment.ts";
import { readCapped } from "./readCapped.ts";
import { unpack } from "../tensor/packing.ts";
import { packedByteLength, validateSpec, type TensorSpec } from "../tensor/spec.ts";

export interface RequestedInput {
  /** Inline packed input; empty for a job requested by root and URI. */
  readonly input: Uint8Array;
  readonly inputRoot: Hex;
  readonly inputUri: string;
}

export interface InputPolicy {
  /** Hosts (name or name:port) an input URI may point at; empty: any. */
  readonly allowedHosts: readonly string[];
  readonly timeoutMs: number;
}

export type InputOutcome =
  | { readonly kind: "ok"; readonly packed: Uint8Array; readonly fetched: boolean }
  | { readonly kind: "retry"; readonly reason: string }
  | { readonly kind: "refused"; readonly reason: string };

/** Whether `allowedHosts` (names or name:port; empty: any) lets a request go to `url`'s host. */
export function hostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  return allowedHosts.length === 0 || allowedHosts.includes(url.host) || allowedHosts.includes(url.hostname);
}

export async function resolveJobInput(
  job: RequestedInput,
  spec: TensorSpec,
  policy: InputPolicy,
): Promise<InputOutcome> {
  if (job.input.length > 0) return { kind: "ok", packed: job.input, fetched: false };
  try {
    // A spec read from a registration is only data until checked.
    validateSpec(spec);
  } catch (e) {
    return { kind: "refused", reason: `the model's input spec is invalid: ${(e as Error).message}` };
  }
  let url: URL;
  try {
    url = new URL(job.inputUri);
  } catch {
    return { kind: "refused", reason: `input URI ${JSON.stringify(job.inputUri)} is not a URL` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { kind: "refused", reason: `input URI scheme ${url.protocol} is not fetched (http and https only)` };
  if (!hostAllowed(url, policy.allowedHosts))
    return { kind: "refused", reason: `input host ${url.host} is not in the allowed input hosts` };
  const size = packedByteLength(spec);
  let packed: Uint8Array;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(policy.timeoutMs), redirect: "error" });
    if (!res.ok) {
      await res.body?.cancel();
      return { kind: "retry", reason: `${url.href}: HTTP ${res.status}` };
    }
    const body = await readCapped(res, size);
    if (body === undefined)
      return { kind: "refused", reason: `${url.href} holds more than the ${size} bytes of the input` };
    packed = body;
  } catch (e) {
    return { kind: "retry", reason: `${url.href}: ${(e as Error).message}` };
  }
  if (packed.length !== size)
    return { kind: "refused", reason: `${url.href} holds ${packed.length} bytes, the input is ${size}` };
  const root = tensorRoot(unpack(spec, packed));
  if (root !== job.inputRoot)
    return {
      kind: "refused",
      reason: `the data at ${url.href} has root ${root}, the job's inputRoot is ${job.inputRoot}`,
    };
  return { kind: "ok", packed, fetched: true };
}
