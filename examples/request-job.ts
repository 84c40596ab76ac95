/**
 * Requests one classification from the shipped model and waits for its final result,
 * with the requester's client `refute/client` (docs/INTEGRATION.md, "From TypeScript").
 *
 *     REFUTE_RPC_URL=http://127.0.0.1:8545 REFUTE_PRIVATE_KEY=0x… \
 *     REFUTE_DEPLOYMENT=deployments/local.json \
 *       node --import tsx examples/request-job.ts [imageIndex]
 *
 * The model is named by its ONNX file (registered under the defaults, as
 * `refute model register models/fmnist-mlp.onnx` does) unless REFUTE_MODEL_ID names
 * a registered modelId. The input is image `imageIndex` (default 0) of the shipped
 * evaluation set. Prints the job id at once, the class index once the job is
 * Finalized — after its challenge window, when a provider committed and nobody
 * proved the result wrong.
 */
import { readFileSync } from "node:fs";
import { createPublicClient, createWalletClient, defineChain, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { JobFailedError, loadDeployment, requestJob, waitForResult, WaitTimeoutError } from "refute/client";

const MODEL_FILE = "models/fmnist-mlp.onnx";
const IMAGES = "models/fmnist-mlp.eval-images.idx";

const rpcUrl = process.env["REFUTE_RPC_URL"] ?? "http://127.0.0.1:8545";
const key = process.env["REFUTE_PRIVATE_KEY"] as Hex | undefined;
if (key === undefined) throw new Error("set REFUTE_PRIVATE_KEY to the requester's key");
const deployment = loadDeployment(process.env["REFUTE_DEPLOYMENT"] ?? "deployments/local.json");
const index = Number(process.argv[2] ?? 0);

// Any viem chain works; the deployment file says which chain id to expect.
const chain = defineChain({
  id: deployment.chainId,
  name: "refute",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } },
});
const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 250 });
const walletClient = createWalletClient({
  chain,
  transport: http(rpcUrl),
  account: privateKeyToAccount(key),
  pollingInterval: 250,
});

// Approves the fee if the allowance is short, requests, and reads the job id from the event.
const { jobId, txHash } = await requestJob(walletClient, {
  deployment,
  model: process.env["REFUTE_MODEL_ID"] ?? MODEL_FILE,
  input: IMAGES,
  index,
  fee: 10n ** 18n,
});
console.log(`job ${jobId} requested in ${txHash}`);

try {
  // Resolves only once Finalized: a Committed result is provisional and never returned.
  const output = await waitForResult(publicClient, { deployment, jobId, timeoutMs: 60 * 60_000 });
  const labels = (JSON.parse(readFileSync("models/fmnist-mlp.card.json", "utf8")) as { output: { labels: string[] } })
    .output.labels;
  const label = Number(output.values[0]);
  console.log(`job ${jobId} finalized: class ${label} (${labels[label] ?? "out of range"})`);
} catch (e) {
  if (e instanceof JobFailedError) console.error(`job ${jobId} ${e.status}: ${e.message}`);
  else if (e instanceof WaitTimeoutError) console.error(`job ${jobId} still ${e.lastStatus}: ${e.message}`);
  else throw e;
  process.exitCode = 1;
}
