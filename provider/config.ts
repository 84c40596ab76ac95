import { DEFAULT_FLOAT_FAULT, FAULT_KINDS } from "../src/dispute/faults.ts";
import type { FieldSpec } from "../src/service/config.ts";
import { commonFields } from "../src/service/commonConfig.ts";
import * as f from "../src/service/fields.ts";
import { POLICY_FIELDS } from "../src/service/policy.ts";

/** `refute provide` configuration (docs/DAEMONS.md). */
export const PROVIDER_FIELDS = {
  ...commonFields("provider"),
  ...POLICY_FIELDS,
  maxCollateralPerFee: {
    flag: "--max-collateral-per-fee <ratio>",
    env: "REFUTE_MAX_COLLATERAL_PER_FEE",
    help: "refuse jobs whose collateral is more than this many times their fee (default: no limit; a fee of 0 exceeds any limit)",
    schema: f.number({ min: 0, max: 1e18, optional: true }),
  },
  models: {
    flag: "--model <path>",
    env: "REFUTE_MODELS",
    help: "ONNX model file or folder of them to serve; repeatable (env: comma-separated)",
    multiple: true,
    schema: f.field<string[]>((raw) => {
      const list =
        raw === undefined ? [] : typeof raw === "string" ? raw.split(",") : typeof raw === "boolean" ? [] : [...raw];
      const paths = list.map((s) => s.trim()).filter(Boolean);
      return paths.length ? { ok: paths } : { error: "is required (at least one model file or folder)" };
    }),
  },
  requesters: {
    flag: "--requester <address>",
    env: "REFUTE_REQUESTERS",
    help: "serve only jobs requested by these addresses; repeatable (default: everyone)",
    multiple: true,
    schema: f.addressList(),
  },
  tracePort: {
    flag: "--trace-port <port>",
    env: "REFUTE_TRACE_PORT",
    help: "serve GET /jobs/:id/trace on 127.0.0.1:<port> (0: a free port; -1: off; default 7311)",
    schema: f.number({ min: -1, max: 65535, integer: true, default: 7311 }),
  },
  faults: {
    flag: "--fault <kinds>",
    env: "REFUTE_FAULT",
    help: `TESTS AND DEMOS ONLY: commit wrong results of these kinds (${FAULT_KINDS.join(", ")}); comma-separated or repeated`,
    multiple: true,
    schema: f.choiceList(FAULT_KINDS),
  },
  faultRate: {
    flag: "--fault-rate <p>",
    env: "REFUTE_FAULT_RATE",
    help: "probability that a job is faulty when --fault is given (default 1)",
    schema: f.number({ min: 0, max: 1, default: 1 }),
  },
  faultSeed: {
    flag: "--fault-seed <n>",
    env: "REFUTE_FAULT_SEED",
    help: "seed of the fault choices (default 1)",
    schema: f.number({ min: 0, max: 0xffffffff, integer: true, default: 1 }),
  },
  faultFloatScale: {
    flag: "--fault-float-scale <c>",
    env: "REFUTE_FAULT_FLOAT_SCALE",
    help: "TESTS AND DEMOS ONLY: float-bias (and withhold, silent on a float32 model) moves one element c times its bound; above 1 (default 2)",
    schema: f.number({ min: 1, max: 1e30, default: DEFAULT_FLOAT_FAULT.scale }),
  },
  faultFloatNode: {
    flag: "--fault-float-node <i>",
    env: "REFUTE_FAULT_FLOAT_NODE",
    help: "TESTS AND DEMOS ONLY: the node float-bias forges, a rounding one (default 0: the CNN's first Conv)",
    schema: f.number({ min: 0, max: 4095, integer: true, default: DEFAULT_FLOAT_FAULT.node }),
  },
  maxBatch: {
    flag: "--max-batch <n>",
    env: "REFUTE_MAX_BATCH",
    help: "most commits in one commitBatch transaction (default 16)",
    schema: f.number({ min: 1, max: 256, integer: true, default: 16 }),
  },
  batchWaitMs: {
    flag: "--batch-wait <ms>",
    env: "REFUTE_BATCH_WAIT",
    help: "wait this long for more results before committing a batch (default 500)",
    schema: f.number({ min: 0, max: 600_000, integer: true, default: 500 }),
  },
  stake: {
    flag: "--stake <amount>",
    env: "REFUTE_STAKE",
    help: "at start, deposit token base units until the stake reaches this amount (e.g. 1000e18)",
    schema: f.amount({ optional: true }),
  },
  executionProvider: {
    flag: "--ep <provider>",
    env: "REFUTE_EP",
    help: "onnxruntime execution provider: auto (CUDA when installed), cpu or cuda (default auto)",
    schema: f.choice(["auto", "cpu", "cuda"] as const, { default: "auto" }),
  },
  threads: {
    flag: "--threads <n>",
    env: "REFUTE_THREADS",
    help: "onnxruntime threads inside one operator (default 1); a float32 model's output may change with it, which its bound admits",
    schema: f.number({ min: 1, max: 256, integer: true, default: 1 }),
  },
  retentionSec: {
    flag: "--retention <seconds>",
    env: "REFUTE_RETENTION",
    help: "keep a resolved job's trace this long after it is final or slashed (default 3600)",
    schema: f.number({ min: 0, max: 31_536_000, integer: true, default: 3600 }),
  },
} satisfies Record<string, FieldSpec<unknown>>;
