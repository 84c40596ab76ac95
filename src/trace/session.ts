import * as ort from "onnxruntime-node";
import type { CompiledModel } from "../onnx/compile.ts";
import { ExecutionError } from "./errors.ts";
import { ortModelBytes } from "./rewrite.ts";
import {
  applyCudaEnvironment,
  configKey,
  cudaUnavailableReason,
  resolveExecutionConfig,
  sessionOptionsFor,
  type ExecutionConfig,
  type ExecutionProviderName,
  type ResolvedExecutionConfig,
} from "./sessionOptions.ts";

/**
 * Which graph a session runs: the model as published, with every node output
 * fetched, or with a symbolic leading dimension for many jobs per run (rewrite.ts).
 */
export type SessionKind = "plain" | "trace" | "batch";

export interface ModelSession {
  readonly session: ort.InferenceSession;
  /** The provider actually used (after any CUDA fallback). */
  readonly provider: ExecutionProviderName;
  readonly config: ResolvedExecutionConfig;
}

export interface SessionOptions extends ExecutionConfig {
  /** Where fallback notices go; console.warn unless given. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Sessions are the slow part of a run (graph parsing, optimization, kernel
 * setup), so each (model, kind, configuration) keeps one, up to a bound;
 * the least recently used is released first.
 */
const MAX_CACHED_SESSIONS = 32;
const cache = new Map<string, Promise<ModelSession>>();

export function getSession(
  compiled: CompiledModel,
  kind: SessionKind,
  options: SessionOptions = {},
): Promise<ModelSession> {
  const config = resolveExecutionConfig(options);
  const key = `${compiled.fileHash}/${kind}/${configKey(config)}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const created = createSession(
    ortModelBytes(compiled, { allOutputs: kind === "trace", batch: kind === "batch" }),
    config,
    options.onWarning,
  );
  cache.set(key, created);
  // A failed creation must not stay cached.
  created.catch(() => {
    if (cache.get(key) === created) cache.delete(key);
  });
  while (cache.size > MAX_CACHED_SESSIONS) {
    const [oldKey, oldest] = cache.entries().next().value as [string, Promise<ModelSession>];
    cache.delete(oldKey);
    void oldest.then((s) => s.session.release()).catch(() => undefined);
  }
  return created;
}

/** Releases every cached session (tests, and a watcher dropping a model). */
export async function releaseSessions(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.all(all.map((p) => p.then((s) => s.session.release()).catch(() => undefined)));
}

async function createSession(
  bytes: Uint8Array,
  config: ResolvedExecutionConfig,
  onWarning: (message: string) => void = (m) => console.warn(`refute: ${m}`),
): Promise<ModelSession> {
  if (config.executionProvider === "cuda") {
    const reason = cudaUnavailableReason();
    if (reason === undefined) {
      applyCudaEnvironment();
      try {
        return {
          session: await ort.InferenceSession.create(bytes, sessionOptionsFor(config)),
          provider: "cuda",
          config,
        };
      } catch (cause) {
        onWarning(`CUDA requested, running on CPU: ${(cause as Error).message}`);
      }
    } else {
      onWarning(`CUDA requested, running on CPU: ${reason}`);
    }
    config = { ...config, executionProvider: "cpu" };
  }
  try {
    return { session: await ort.InferenceSession.create(bytes, sessionOptionsFor(config)), provider: "cpu", config };
  } catch (cause) {
    throw new ExecutionError("SESSION_FAILED", `onnxruntime could not load the model: ${(cause as Error).message}`, {
      cause,
    });
  }
}
