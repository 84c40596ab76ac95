/**
 * The chain reads the verifier makes for a batch of jobs, in few round trips: the
 * jobs' current status read concurrently (one request each, none waiting on
 * another), each model's registration read once (registrations are immutable, so
 * it is cached by modelId), and the batch's inputs from the request cache the job
 * source fills (requests.ts), the rest from one JobRequested query filtered by the
 * jobs' ids (an indexed topic).
 */
import type { Hex, PublicClient } from "viem";
import { getContractEvents } from "viem/actions";
import { jobManagerAbi } from "../src/chain/abis.ts";
import type { JobRequestedLog } from "../src/chain/read/jobEvents.ts";
import { readJob } from "../src/chain/read/jobs.ts";
import { readModel, type Model } from "../src/chain/read/registry.ts";
import type { ProtocolAddresses } from "../src/client/contracts.ts";
import { RequestCache } from "./requests.ts";

export interface JobOnChain {
  /** A JobStatus (src/chain/enums.ts). */
  readonly status: number;
  readonly commitmentHash: Hex;
}

export interface VerifierChain {
  /** Each job's status and commitment at the block `blockHash`, in the order asked. */
  jobs(jobIds: readonly bigint[], blockHash: Hex): Promise<JobOnChain[]>;
  /** The registration of `modelId` (read at `blockHash` the first time, then cached). */
  registration(modelId: Hex, blockHash: Hex): Promise<Model>;
  /**
   * The requests of these jobs (input, input root, URI) by job id, searched up to
   * `toBlock`: from the request cache where it has them, unless `cached` is false (a job
   * about to be disputed), when all are read from the chain and the cache is refreshed.
   */
  requests(
    jobIds: readonly bigint[],
    toBlock: bigint,
    options?: { readonly cached: boolean },
  ): Promise<Map<bigint, JobRequestedLog["args"]>>;
}

export class RpcVerifierChain implements VerifierChain {
  private readonly models = new Map<Hex, Promise<Model>>();

  constructor(
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly deployBlock: bigint,
    private readonly cache: RequestCache = new RequestCache(),
  ) {}

  jobs(jobIds: readonly bigint[], blockHash: Hex): Promise<JobOnChain[]> {
    return Promise.all(
      jobIds.map((jobId) => readJob(this.client, { address: this.addresses.jobManager, jobId, blockHash })),
    );
  }

  registration(modelId: Hex, blockHash: Hex): Promise<Model> {
    const key = modelId.toLowerCase() as Hex;
    let m = this.models.get(key);
    if (m === undefined) {
      m = readModel(this.client, { address: this.addresses.modelRegistry, modelId, blockHash });
      // A failed read (an RPC error, a model not yet visible at that head) is not remembered.
      m.catch(() => this.models.delete(key));
      this.models.set(key, m);
    }
    return m;
  }

  async requests(
    jobIds: readonly bigint[],
    toBlock: bigint,
    options: { readonly cached: boolean } = { cached: true },
  ): Promise<Map<bigint, JobRequestedLog["args"]>> {
    const out = new Map<bigint, JobRequestedLog["args"]>();
    const unread = options.cached
      ? jobIds.filter((jobId) => {
          const r = this.cache.get(jobId);
          if (r !== undefined) out.set(jobId, r);
          return r === undefined;
        })
      : jobIds;
    if (unread.length === 0) return out;
    const logs = await getContractEvents(this.client, {
      address: this.addresses.jobManager,
      abi: jobManagerAbi,
      eventName: "JobRequested",
      args: { jobId: [...unread] },
      strict: true,
      fromBlock: this.deployBlock,
      toBlock,
    });
    // A job id is requested once; a second log for it would be a broken contract, so the first is kept.
    for (const l of logs) {
      if (out.has(l.args.jobId)) continue;
      out.set(l.args.jobId, l.args);
      this.cache.add(l);
    }
    return out;
  }
}
