/**
 * A requester collects what it is owed for a slashed job, with the requester's client
 * `refute/client` (docs/INTEGRATION.md, "Collecting a slashed job's refund").
 *
 *     REFUTE_RPC_URL=http://127.0.0.1:8545 REFUTE_PRIVATE_KEY=0x… \
 *     REFUTE_DEPLOYMENT=deployments/local.json \
 *       node --import tsx examples/collect-refund.ts <jobId> [recipient]
 *
 * When a job's result is proven wrong the job is Slashed and the DisputeGame credits the
 * requester its fee back and its share of the provider's collateral. Nothing is sent to
 * the requester: both wait in its claimable balance until it withdraws them (pull
 * payments, docs/PROTOCOL.md §9.5). This reads the job's status and the signer's
 * claimable balance, withdraws the whole balance (to `recipient` when given, else to
 * itself) and prints the token balance before and after. The balance holds every payout
 * credited to the signer, this job's and any other's. A job that is not Slashed has
 * nothing in the game to collect: the script says so and exits 1 without a transaction.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  erc20Abi,
  formatUnits,
  http,
  isAddress,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { claimableOf, loadDeployment, resultOf, withdrawClaimable } from "refute/client";

const rpcUrl = process.env["REFUTE_RPC_URL"] ?? "http://127.0.0.1:8545";
const key = process.env["REFUTE_PRIVATE_KEY"] as Hex | undefined;
if (key === undefined) throw new Error("set REFUTE_PRIVATE_KEY to the requester's key");
const deployment = loadDeployment(process.env["REFUTE_DEPLOYMENT"] ?? "deployments/local.json");
const jobArg = process.argv[2];
if (jobArg === undefined || !/^\d+$/.test(jobArg)) throw new Error("usage: collect-refund.ts <jobId> [recipient]");
const jobId = BigInt(jobArg);
const recipientArg = process.argv[3];
if (recipientArg !== undefined && !isAddress(recipientArg))
  throw new Error(`recipient ${recipientArg} is not an address`);
const recipient = recipientArg as Address | undefined;

const chain = defineChain({
  id: deployment.chainId,
  name: "refute",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } },
});
const account = privateKeyToAccount(key);
const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 250 });
const walletClient = createWalletClient({ chain, transport: http(rpcUrl), account, pollingInterval: 250 });

const token = deployment.addresses.token;
const decimals = await publicClient.readContract({ address: token, abi: erc20Abi, functionName: "decimals" });
const amount = (x: bigint) => `${formatUnits(x, decimals)} tokens`;
const to = recipient ?? account.address;
const balanceOf = () =>
  publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [to] });

// Throws UnknownJobError when the deployment has no such job.
const { status } = await resultOf(publicClient, { deployment, jobId });
console.log(`job ${jobId}: ${status}`);
if (status !== "Slashed") {
  // Finalized: the fee went to the provider. Expired: `expire` sends the fee back directly.
  // Requested or Committed: nothing is decided yet.
  console.log(`job ${jobId} is not slashed: nothing of it to collect`);
  process.exit(1);
}

const owed = await claimableOf(publicClient, { deployment, account: account.address });
console.log(`claimable by ${account.address}: ${amount(owed)}`);
if (owed === 0n) {
  // Already withdrawn (by this script earlier, or by anything else holding the key).
  console.log("nothing left to withdraw");
  process.exit(0);
}

const before = await balanceOf();
// Reads the balance again and withdraws all of it in one transaction, waiting for its receipt.
const { amount: withdrawn, hash } = await withdrawClaimable(
  { public: publicClient, wallet: walletClient, addresses: deployment.addresses },
  recipient,
);
const after = await balanceOf();
console.log(`withdrew ${amount(withdrawn)} to ${to} in ${hash ?? "no transaction"}`);
console.log(`token balance of ${to}: ${amount(before)} -> ${amount(after)}`);
