/**
 * The end of the demo's money story. Every payout of a dispute is credited to a claimable
 * balance in the DisputeGame and leaves only when its owner withdraws it (pull payments,
 * docs/PROTOCOL.md §9.5). The daemons withdraw their own balances as they run
 * (src/service/withdrawer.ts); the requesters and the treasury do not run one. This reads,
 * for each party, what disputes credited it (by reason, from `Credited` events), what it
 * already withdrew and what is still claimable; then has each party withdraw the rest
 * with the requester's client (`withdrawClaimable`) and reads the token balances again.
 */
import { formatUnits, type Address, type PublicClient } from "viem";
import { getBlock, getContractEvents, getTransactionCount, readContract } from "viem/actions";
import { disputeGameAbi, jobManagerAbi } from "../chain/abis.ts";
import { creditReasonName } from "../chain/enums.ts";
import { readClaimable } from "../chain/read/dispute.ts";
import { readBalance } from "../chain/read/token.ts";
import { withdrawClaimable } from "../client/claims.ts";
import type { ProtocolAddresses, RefuteClient } from "../client/contracts.ts";
import { addressOf, type Role } from "./accounts.ts";

/** One party's balances, in token base units (decimal strings, for the JSON report). */
export interface PartyClaims {
  readonly party: string;
  readonly account: Address;
  /** Everything disputes credited to it, by CreditReason name. */
  readonly credited: Readonly<Record<string, string>>;
  readonly creditedTotal: string;
  /** Withdrawn before the demo's own withdraw (by the party's daemon, if it runs one). */
  readonly withdrawnEarlier: string;
  /** Claimable when the jobs were done. */
  readonly claimable: string;
  /** What the demo's withdraw moved (0 and no transaction when nothing was claimable). */
  readonly withdrawn: string;
  readonly balanceBefore: string;
  readonly balanceAfter: string;
  readonly claimableAfter: string;
}

export interface DemoClaims {
  /** The contract's split of a slashed collateral (basis points). */
  readonly shares: { readonly bountyBps: string; readonly requesterBps: string; readonly treasuryBps: string };
  /** Every slash of the demo (JobSlashed): the collateral taken and the fee refunded. */
  readonly slashes: readonly { readonly jobId: string; readonly collateral: string; readonly fee: string }[];
  readonly parties: readonly PartyClaims[];
  /** Tokens left in the DisputeGame after every party withdrew. */
  readonly gameBalanceAfter: string;
}

/** Who the demo shows, with the account each withdraws from (the treasury is the deployer). */
export const DEMO_PARTIES: readonly { readonly party: string; readonly role: Role }[] = [
  { party: "watcher", role: "watcher" },
  { party: "requester of the cheated jobs", role: "secondRequester" },
  { party: "requester of the honest jobs", role: "requester" },
  { party: "honest provider", role: "honestProvider" },
  { party: "cheating provider", role: "cheatingProvider" },
  { party: "treasury", role: "deployer" },
];

export async function collectClaims(p: {
  readonly client: PublicClient;
  readonly addresses: ProtocolAddresses;
  readonly deployBlock: bigint;
  readonly signer: (role: Role) => Promise<RefuteClient>;
}): Promise<DemoClaims> {
  const game = p.addresses.disputeGame;
  const treasury = await readContract(p.client, { address: game, abi: disputeGameAbi, functionName: "treasury" });
  if (treasury.toLowerCase() !== addressOf("deployer").toLowerCase())
    throw new Error(`the treasury ${treasury} is not the deployer: the demo cannot withdraw its share`);
  const view = (functionName: "BOUNTY_BPS" | "REQUESTER_BPS" | "TREASURY_BPS") =>
    readContract(p.client, { address: game, abi: disputeGameAbi, functionName });
  const [bountyBps, requesterBps, treasuryBps] = await Promise.all([
    view("BOUNTY_BPS"),
    view("REQUESTER_BPS"),
    view("TREASURY_BPS"),
  ]);
  // A daemon stopped with a withdraw still in the mempool has it mined a block later: wait
  // for every party's sent transactions to be mined, then read events and balances at one block.
  const accounts = DEMO_PARTIES.map((x) => addressOf(x.role));
  const quiet = async () => {
    for (const address of accounts) {
      const [pending, mined] = await Promise.all([
        getTransactionCount(p.client, { address, blockTag: "pending" }),
        getTransactionCount(p.client, { address, blockTag: "latest" }),
      ]);
      if (pending !== mined) return false;
    }
    return true;
  };
  for (const deadline = Date.now() + 30_000; !(await quiet());) {
    if (Date.now() > deadline) throw new Error("the daemons' last transactions were not mined within 30 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  const block = await getBlock(p.client, { blockTag: "latest" });
  const range = { fromBlock: p.deployBlock, toBlock: block.number } as const;
  const [credited, withdrawn, slashed] = await Promise.all([
    getContractEvents(p.client, { address: game, abi: disputeGameAbi, eventName: "Credited", strict: true, ...range }),
    getContractEvents(p.client, { address: game, abi: disputeGameAbi, eventName: "Withdrawn", strict: true, ...range }),
    getContractEvents(p.client, {
      address: p.addresses.jobManager,
      abi: jobManagerAbi,
      eventName: "JobSlashed",
      strict: true,
      ...range,
    }),
  ]);
  const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

  const parties: PartyClaims[] = [];
  for (const { party, role } of DEMO_PARTIES) {
    const account = addressOf(role);
    const byReason: Record<string, bigint> = {};
    for (const l of credited.filter((c) => same(c.args.account, account))) {
      const reason = creditReasonName(l.args.reason);
      byReason[reason] = (byReason[reason] ?? 0n) + l.args.amount;
    }
    const withdrawnEarlier = withdrawn
      .filter((w) => same(w.args.account, account))
      .reduce((s, w) => s + w.args.amount, 0n);
    const claimable = await readClaimable(p.client, { address: game, account, blockHash: block.hash });
    const balanceBefore = await readBalance(p.client, { address: p.addresses.token, owner: account });
    const { amount } = await withdrawClaimable(await p.signer(role));
    const balanceAfter = await readBalance(p.client, { address: p.addresses.token, owner: account });
    const claimableAfter = await readClaimable(p.client, { address: game, account });
    parties.push({
      party,
      account,
      credited: Object.fromEntries(Object.entries(byReason).map(([k, v]) => [k, v.toString()])),
      creditedTotal: Object.values(byReason)
        .reduce((s, v) => s + v, 0n)
        .toString(),
      withdrawnEarlier: withdrawnEarlier.toString(),
      claimable: claimable.toString(),
      withdrawn: amount.toString(),
      balanceBefore: balanceBefore.toString(),
      balanceAfter: balanceAfter.toString(),
      claimableAfter: claimableAfter.toString(),
    });
  }
  const gameBalanceAfter = await readBalance(p.client, { address: p.addresses.token, owner: game });
  return {
    shares: {
      bountyBps: bountyBps.toString(),
      requesterBps: requesterBps.toString(),
      treasuryBps: treasuryBps.toString(),
    },
    slashes: slashed.map((l) => ({
      jobId: l.args.jobId.toString(),
      collateral: l.args.collateral.toString(),
      fee: l.args.refund.toString(),
    })),
    parties,
    gameBalanceAfter: gameBalanceAfter.toString(),
  };
}

const tokens = (x: string) => `${formatUnits(BigInt(x), 18)} tokens`;

/** The claims section of the demo's output: balances in the game, then the withdraws. */
export function renderClaims(c: DemoClaims): string {
  const width = Math.max(...c.parties.map((x) => x.party.length));
  const lines = [
    "claimable balances in the DisputeGame (every dispute payout waits there until withdrawn;",
    "the watcher and the providers withdraw theirs as they run, the requesters and the treasury by hand):",
  ];
  for (const x of c.parties) {
    const why = Object.entries(x.credited)
      .map(([reason, v]) => `${reason} ${tokens(v)}`)
      .join(", ");
    lines.push(
      `  ${x.party.padEnd(width)}  credited ${tokens(x.creditedTotal)}${why === "" ? "" : ` (${why})`}, withdrawn earlier ${tokens(x.withdrawnEarlier)}, claimable ${tokens(x.claimable)}`,
    );
  }
  lines.push("", "each party withdraws its claimable balance (withdrawClaimable):");
  for (const x of c.parties) {
    lines.push(
      `  ${x.party.padEnd(width)}  withdrew ${tokens(x.withdrawn)}: token balance ${tokens(x.balanceBefore)} -> ${tokens(x.balanceAfter)}, claimable now ${tokens(x.claimableAfter)}`,
    );
  }
  lines.push(`left in the DisputeGame: ${tokens(c.gameBalanceAfter)}`, "");
  return lines.join("\n");
}
