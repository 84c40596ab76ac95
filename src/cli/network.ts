/**
 * Where a named network lives and who signs on it, from the environment (and a
 * `.env` file in the working directory, which never overrides variables already set):
 *
 *     REFUTE_RPC_URL_<NAME>   RPC of network <name> (upper-cased, other characters as `_`)
 *     REFUTE_RPC_URL          fallback RPC for any network
 *     REFUTE_PRIVATE_KEY      0x-prefixed 32-byte key of the account that signs; when
 *                             unset, read from Hardhat's encrypted keystore
 *                             (`npx hardhat keystore set REFUTE_PRIVATE_KEY`, see keystore.ts)
 */
import { existsSync } from "node:fs";
import { config as loadDotenv } from "dotenv";
import {
  BaseError,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { perNetworkEnvName } from "../service/config.ts";
import { rpcFailure, UsageError, withChainErrors } from "./errors.ts";

/** Name of the variable holding the RPC URL of `network`. */
export function rpcEnvName(network: string): string {
  return perNetworkEnvName("REFUTE_RPC_URL", network);
}

export const PRIVATE_KEY_ENV = "REFUTE_PRIVATE_KEY";

/** Loads `.env` from the working directory (if there is one) into process.env, without overriding. */
export function loadEnvFile(path = ".env"): void {
  if (existsSync(path)) loadDotenv({ path, quiet: true });
}

/** A network name as used in file names and variables: letters, digits, `-` and `_`. */
export function checkNetworkName(network: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(network)) {
    throw new UsageError("BAD_FLAG", `--network must be letters, digits, - and _ (got ${JSON.stringify(network)})`);
  }
  return network;
}

/** The RPC URL of a network: `REFUTE_RPC_URL_<NAME>`, else `REFUTE_RPC_URL`. */
export function rpcUrlFor(network: string, env: NodeJS.ProcessEnv = process.env): string {
  const specific = env[rpcEnvName(network)];
  if (specific !== undefined && specific !== "") return specific;
  // The daemons read REFUTE_RPC_URL as a comma-separated list of fallbacks: take the first.
  const fallback = env["REFUTE_RPC_URL"]?.split(",")[0]?.trim();
  if (fallback !== undefined && fallback !== "") return fallback;
  throw new UsageError(
    "NO_RPC",
    `no RPC for network ${network}: set ${rpcEnvName(network)} or REFUTE_RPC_URL (or put it in .env)`,
  );
}

function checkedKey(key: string, from: string): Hex {
  const normalized = key.startsWith("0x") ? key : `0x${key}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(normalized)) throw new UsageError("BAD_KEY", `${from} must be 32 bytes of hex`);
  return normalized as Hex;
}

/**
 * The signing key: `REFUTE_PRIVATE_KEY` from the environment (or .env), else from
 * Hardhat's encrypted keystore. Loading Hardhat costs a second, so it is only
 * loaded when the environment has no key.
 */
export async function signingKey(env: NodeJS.ProcessEnv = process.env): Promise<Hex> {
  const key = env[PRIVATE_KEY_ENV];
  if (key !== undefined && key !== "") return checkedKey(key, PRIVATE_KEY_ENV);
  const { readHardhatKeystore } = await import("./keystore.ts");
  const stored = await readHardhatKeystore(PRIVATE_KEY_ENV);
  if (stored === undefined)
    throw new UsageError(
      "NO_KEY",
      `no signing key: set ${PRIVATE_KEY_ENV} (or put it in .env), or store it in Hardhat's keystore ` +
        `(npx hardhat keystore set ${PRIVATE_KEY_ENV})`,
    );
  return checkedKey(stored, `${PRIVATE_KEY_ENV} in Hardhat's keystore`);
}

/** A reader on a network, with the chain id the node reports. */
export interface NetworkReader {
  readonly chainId: number;
  readonly chain: Chain;
  readonly public: PublicClient;
  readonly rpcUrl: string;
  /** How the user points the command at another RPC (the fix in an RPC_UNREACHABLE line). */
  readonly rpcFix: string;
}

/** A reader and a signer on a network. */
export interface NetworkSigner extends NetworkReader {
  readonly wallet: WalletClient<Transport, Chain, Account>;
}

/** The fix for an unreachable RPC of `network`: where its URL comes from. */
export function networkRpcFix(network: string): string {
  return `start the node, or set ${rpcEnvName(network)} (or REFUTE_RPC_URL) to the URL of one that runs`;
}

/**
 * Connects to an RPC and asks its chain id; a node that does not answer is a UsageError
 * whose fix is `rpcFix` (how the user points the command elsewhere).
 */
export async function connectReader(
  rpcUrl: string,
  name = "custom",
  rpcFix = "start the node, or pass the URL of one that runs",
): Promise<NetworkReader> {
  const transport = http(rpcUrl, { retryCount: 2 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch (cause) {
    const why = rpcFailure(cause) ?? (cause instanceof BaseError ? cause.shortMessage : String(cause));
    throw new UsageError("RPC_UNREACHABLE", `cannot reach ${rpcUrl} (${why.split("\n")[0]}): ${rpcFix}`);
  }
  const chain = defineChain({
    id: chainId,
    name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  // Local nodes mine instantly: poll receipts fast there, at viem's default elsewhere.
  const pollingInterval = /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(rpcUrl) ? 100 : undefined;
  return { chainId, chain, public: createPublicClient({ chain, transport, pollingInterval }), rpcUrl, rpcFix };
}

/** Connects and attaches the signer of `privateKey`. */
export async function connectSigner(
  rpcUrl: string,
  privateKey: Hex,
  name = "custom",
  rpcFix?: string,
): Promise<NetworkSigner> {
  const reader = await connectReader(rpcUrl, name, rpcFix);
  const wallet = createWalletClient({
    chain: reader.chain,
    transport: http(rpcUrl, { retryCount: 2 }),
    account: privateKeyToAccount(privateKey),
    pollingInterval: reader.public.pollingInterval,
  });
  return { ...reader, wallet };
}

/**
 * Refuses an RPC on another chain than the deployment's (WRONG_CHAIN, exit 2), naming
 * how to point the command at the right one: the network's RPC variable when the RPC came
 * from `network`, else the RPC given.
 */
export function expectDeploymentChain(n: NetworkReader, deployment: { chainId: number }, network?: string): void {
  if (n.chainId === deployment.chainId) return;
  const rpc = network !== undefined ? `the RPC of ${network}` : `the RPC ${n.rpcUrl}`;
  const fix =
    network !== undefined
      ? `set ${rpcEnvName(network)} to an RPC of chain ${deployment.chainId}`
      : `pass --rpc of a chain ${deployment.chainId} node`;
  throw new UsageError(
    "WRONG_CHAIN",
    `${rpc} is chain ${n.chainId}, the deployment is on chain ${deployment.chainId}: ` +
      `${fix}, or pass --deployment <file> of chain ${n.chainId}`,
  );
}

/**
 * Runs `work` on the network: what the user can fix (an unfunded signer, the RPC going
 * away, no contract at a deployment address, a refused call) becomes a one-line UsageError
 * naming this RPC, chain and account (errors.ts chainUsageError).
 */
export function onNetwork<T>(n: NetworkReader | NetworkSigner, work: () => Promise<T>): Promise<T> {
  const account = "wallet" in n ? n.wallet.account.address : undefined;
  return withChainErrors({ rpcUrl: n.rpcUrl, chainId: n.chainId, account, rpcFix: n.rpcFix }, work);
}
