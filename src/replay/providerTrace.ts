/**
 * The trace a provider serves over HTTP (provider/traceServer.ts):
 * `GET <base>/jobs/<id>/trace` → `{ traceRoot, nodeRoots: [hex…], nodes: [...] }`.
 * Only the roots are used: they say where the provider's trace leaves the honest one
 * even for a job nobody disputed.
 */
import { isHex, type Hex } from "viem";
import { z } from "zod";
import { fetchUri } from "./fetchUri.ts";

export interface ProviderTrace {
  readonly url: string;
  readonly nodeRoots: readonly Hex[];
}

const hex32 = z.string().refine((s) => isHex(s) && s.length === 66, "is not a 32-byte hex string");
const body = z.looseObject({ nodeRoots: z.array(hex32).min(1) });

/** The URL of job `jobId`'s trace: `{jobId}` substituted, a `/trace` URL as is, otherwise `<base>/jobs/<id>/trace`. */
export function traceUrlFor(url: string, jobId: bigint): string {
  if (url.includes("{jobId}")) return url.replaceAll("{jobId}", jobId.toString());
  if (/\/trace\/?$/.test(url)) return url;
  return `${url.replace(/\/+$/, "")}/jobs/${jobId}/trace`;
}

/** Fetches and validates the provider's served trace. */
export async function fetchProviderTrace(url: string, jobId: bigint): Promise<ProviderTrace> {
  const full = traceUrlFor(url, jobId);
  const bytes = await fetchUri(full, 256 * 1024 * 1024);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new Error(`${full} did not answer JSON`, { cause });
  }
  const r = body.safeParse(json);
  if (!r.success) throw new Error(`${full}: nodeRoots ${r.error.issues[0]?.message ?? "is missing"}`);
  return { url: full, nodeRoots: r.data.nodeRoots as Hex[] };
}
