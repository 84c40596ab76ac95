import type { MetricDef } from "../src/service/metrics.ts";

/** Everything the watcher records (Prometheus names get the `refute_watcher_` prefix). */
export const WATCHER_METRICS = {
  jobs_seen: { type: "counter", help: "committed jobs seen" },
  jobs_sampled: { type: "counter", help: "jobs chosen for re-execution", labelNames: ["rule"] },
  jobs_verified: { type: "counter", help: "re-executed jobs whose commitment matched" },
  jobs_mismatched: { type: "counter", help: "re-executed jobs whose commitment did not match" },
  jobs_unverifiable: { type: "counter", help: "sampled jobs that could not be checked", labelNames: ["why"] },
  jobs_late: { type: "counter", help: "sampled jobs whose window closed before they were checked" },
  jobs_float_checked: {
    type: "counter",
    help: "sampled jobs of float32 models checked on their provider's served trace",
    labelNames: ["result"],
  },
  float_trace_invalid: {
    type: "counter",
    help: "served float traces refused (count, specs, roots, or not ending in the committed output); the job is tried again",
  },
  float_roots_differ: {
    type: "counter",
    help: "float32 challenges whose posted roots differ from the served trace the watcher checked",
  },
  challenges: { type: "counter", help: "challenges committed" },
  disputes_won: { type: "counter", help: "challenges won" },
  disputes_lost: { type: "counter", help: "challenges lost" },
  bounty_total: { type: "gauge", help: "bounties received, token base units (from DisputeSettled events)" },
  bonds_lost_total: {
    type: "gauge",
    help: "bonds lost or forfeited, token base units (from ChallengeResolved events)",
  },
  credited_total: { type: "gauge", help: "dispute payouts credited to us, token base units (Credited events)" },
  withdrawn_total: { type: "gauge", help: "dispute payouts withdrawn, token base units (Withdrawn events)" },
  queue_depth: { type: "gauge", help: "sampled jobs queued or running" },
  executor_seconds: { type: "histogram", help: "re-execution time per job, seconds", labelNames: ["result"] },
  tx_sent: { type: "counter", help: "transactions sent", labelNames: ["label"] },
  tx_bumped: { type: "counter", help: "transactions re-sent with higher fees", labelNames: ["label"] },
  tx_failed: { type: "counter", help: "transactions reverted or replaced", labelNames: ["label"] },
  tx_rebroadcast: { type: "counter", help: "transactions re-broadcast", labelNames: ["label"] },
  rpc_up: { type: "gauge", help: "1 when the RPC endpoint answers", labelNames: ["url"] },
  head: { type: "gauge", help: "block number of the last head read" },
} as const satisfies Record<string, MetricDef>;

export type WatcherMetric = keyof typeof WATCHER_METRICS;
