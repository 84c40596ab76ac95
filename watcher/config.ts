import type { FieldSpec } from "../src/service/config.ts";
import { commonFields } from "../src/service/commonConfig.ts";
import * as f from "../src/service/fields.ts";
import { POLICY_FIELDS } from "../src/service/policy.ts";

/** `refute watch` configuration (docs/DAEMONS.md). */
export const WATCHER_FIELDS = {
  ...commonFields("watcher"),
  ...POLICY_FIELDS,
  models: {
    flag: "--model <path>",
    env: "REFUTE_MODELS",
    help: "ONNX file or folder of files the watcher may re-execute, found by the registration's fileHash; repeatable",
    multiple: true,
    schema: f.pathList(),
  },
  samplingRate: {
    flag: "--sampling-rate <p>",
    env: "REFUTE_SAMPLING_RATE",
    help: "probability of re-executing a job (default 0.1)",
    schema: f.number({ min: 0, max: 1, default: 0.1 }),
  },
  alwaysCheckFee: {
    flag: "--always-check-fee <amount>",
    env: "REFUTE_ALWAYS_CHECK_FEE",
    help: "always re-execute jobs whose fee is at least this many token base units (default: no rule)",
    schema: f.amount({ optional: true }),
  },
  alwaysCheckNewProviders: {
    flag: "--always-check-new-providers <n>",
    env: "REFUTE_ALWAYS_CHECK_NEW_PROVIDERS",
    help: "always re-execute the jobs of a provider seen fewer than n times (default 0: no rule)",
    schema: f.number({ min: 0, max: 1_000_000, integer: true, default: 0 }),
  },
  concurrency: {
    flag: "--concurrency <n>",
    env: "REFUTE_CONCURRENCY",
    help: "re-executions at once, each in its own child process (default 1)",
    schema: f.number({ min: 1, max: 64, integer: true, default: 1 }),
  },
  queueLimit: {
    flag: "--queue-limit <n>",
    env: "REFUTE_QUEUE_LIMIT",
    help: "sampled jobs queued in memory at once; the rest wait in the database (default 64)",
    schema: f.number({ min: 1, max: 100_000, integer: true, default: 64 }),
  },
  batchSize: {
    flag: "--batch-size <n>",
    env: "REFUTE_BATCH_SIZE",
    help: "jobs of one model re-executed in one executor request (default 64)",
    schema: f.number({ min: 1, max: 4096, integer: true, default: 64 }),
  },
  batchWaitMs: {
    flag: "--batch-wait <ms>",
    env: "REFUTE_BATCH_WAIT",
    help: "how long a batch that is not full waits for more jobs of its model (default 200)",
    schema: f.number({ min: 0, max: 60_000, integer: true, default: 200 }),
  },
  executionProvider: {
    flag: "--ep <provider>",
    env: "REFUTE_EP",
    help: "onnxruntime execution provider of the executor: auto (CUDA when installed), cpu or cuda (default auto)",
    schema: f.choice(["auto", "cpu", "cuda"] as const, { default: "auto" }),
  },
  executorMemoryMb: {
    flag: "--executor-memory <mb>",
    env: "REFUTE_EXECUTOR_MEMORY",
    help: "kill a re-execution whose process grows past this resident size (default 2048)",
    schema: f.number({ min: 64, max: 1_048_576, integer: true, default: 2048 }),
  },
  executorTimeoutMs: {
    flag: "--executor-timeout <ms>",
    env: "REFUTE_EXECUTOR_TIMEOUT",
    help: "kill a re-execution running longer than this (default 120000)",
    schema: f.number({ min: 100, max: 86_400_000, integer: true, default: 120_000 }),
  },
  executorThreads: {
    flag: "--executor-threads <n>",
    env: "REFUTE_EXECUTOR_THREADS",
    help: "onnxruntime threads per re-execution (default 1)",
    schema: f.number({ min: 1, max: 256, integer: true, default: 1 }),
  },
  traceServers: {
    flag: "--trace-server <provider=url>",
    env: "REFUTE_TRACE_SERVERS",
    help:
      "where a provider serves its traces (its trace server's base URL), for checking jobs of float32 models; " +
      "repeat or comma-separate; the host must be loopback or an allowed input host (--input-host)",
    multiple: true,
    schema: f.addressUrlMap(),
  },
  traceServerDefault: {
    flag: "--trace-server-default <url>",
    env: "REFUTE_TRACE_SERVER_DEFAULT",
    help: "the trace server of every provider without a --trace-server of its own (single-provider setups)",
    schema: f.optionalUrl(),
  },
  traceTimeoutMs: {
    flag: "--trace-timeout <ms>",
    env: "REFUTE_TRACE_TIMEOUT",
    help: "milliseconds one fetch of a provider's trace may take; tried 3 times before the job is unverifiable (default 10000)",
    schema: f.number({ min: 100, max: 600_000, integer: true, default: 10_000 }),
  },
  startBlock: {
    flag: "--start-block <n>",
    env: "REFUTE_START_BLOCK",
    help: "on a fresh database, look at jobs committed from this block on (default: the deploy block)",
    schema: f.number({ min: -1, integer: true, default: -1 }),
  },
} satisfies Record<string, FieldSpec<unknown>>;
