/** The blocks an event query searches. */
export interface BlockRange {
  /** First block searched: the deployment block (0, the whole chain, when absent). */
  readonly fromBlock?: bigint;
  /** Last block searched (the latest when absent). */
  readonly toBlock?: bigint;
}

/** viem's block range for a query. */
export function blockRange(r: BlockRange): { readonly fromBlock: bigint; readonly toBlock?: bigint } {
  return r.toBlock === undefined
    ? { fromBlock: r.fromBlock ?? 0n }
    : { fromBlock: r.fromBlock ?? 0n, toBlock: r.toBlock };
}
