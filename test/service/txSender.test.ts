/**
 * The transaction journal against anvil with mining under the test's control: a
 * transaction priced under the market is replaced with higher fees and lands, one
 * whose deadline nears is bumped before its usual delay, the fee cap is respected, and
 * a key is sent only once, also by a second journal opened on the same database
 * (a restarted daemon). The journal's clock is a ManualClock: the delays before a
 * bump pass when the test advances it, not on the wall clock.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseGwei,
  type Hex,
  type PublicClient,
  type TestClient,
  createTestClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { readBalance } from "../../src/chain/read/token.ts";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { deployProtocol, DEFAULT_PROTOCOL_PARAMETERS } from "../../src/chain/deploy.ts";
import { mint } from "../../src/client/calls.ts";
import type { ProtocolAddresses } from "../../src/client/contracts.ts";
import { keyOf } from "../../src/demo/accounts.ts";
import { ManualClock } from "../../src/service/clock.ts";
import type { ChainHead } from "../../src/service/heads.ts";
import { createLogger } from "../../src/service/logger.ts";
import { NoopMetrics } from "../../src/service/metrics.ts";
import { openDatabase, type DatabaseSync } from "../../src/service/sqlite.ts";
import { TxSender, type TxMetricName, type TxSenderOptions } from "../../src/service/txSender.ts";
import { at } from "../../src/tensor/at.ts";

const OPTIONS: TxSenderOptions = {
  chainId: foundry.id,
  finalityDepth: 1,
  bumpAfterMs: 300,
  deadlineMarginSec: 30,
  bumpPercent: 12,
  maxFeePerGas: parseGwei("500"),
};

describe("transaction journal: fee bumping", { timeout: 120_000 }, () => {
  let anvil: AnvilNode;
  let pub: PublicClient;
  let testClient: TestClient;
  let addresses: ProtocolAddresses;
  const account = privateKeyToAccount(keyOf("deployer"));
  const recipient = privateKeyToAccount(keyOf("requester")).address;
  let db: DatabaseSync;

  const head = async (): Promise<ChainHead> => {
    const b = await pub.getBlock({ blockTag: "latest" });
    return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
  };
  const sender = (clock: ManualClock, options: Partial<TxSenderOptions> = {}) =>
    new TxSender(
      db,
      pub,
      account,
      { ...OPTIONS, ...options },
      createLogger("test", process.env["TX_LOG"] === "1" ? "debug" : "error"),
      new NoopMetrics<TxMetricName>(),
      clock,
    );
  const attemptsOf = (key: string): { hash: Hex; maxFeePerGas: string }[] =>
    JSON.parse((db.prepare("SELECT attempts FROM txs WHERE key = ?").get(key) as { attempts: string }).attempts) as {
      hash: Hex;
      maxFeePerGas: string;
    }[];
  const balance = () => readBalance(pub, { address: addresses.token, owner: recipient });
  const tickAll = async (s: TxSender) => {
    const h = await head();
    await s.tick(h, h.timestamp);
  };

  before(async () => {
    anvil = await startAnvil();
    pub = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
    testClient = createTestClient({ chain: foundry, mode: "anvil", transport: http(anvil.rpcUrl) });
    const wallet = createWalletClient({ chain: foundry, transport: http(anvil.rpcUrl), account });
    const d = await deployProtocol({
      publicClient: pub,
      walletClient: wallet,
      params: { ...DEFAULT_PROTOCOL_PARAMETERS, treasury: account.address },
    });
    addresses = {
      token: d.token,
      stakeManager: d.stakeManager,
      modelRegistry: d.modelRegistry,
      jobManager: d.jobManager,
      oneStepVerifier: d.oneStepVerifier,
      disputeGame: d.disputeGame,
    };
    // From here on, blocks come only when the test mines them.
    await testClient.setAutomine(false);
  });
  beforeEach(async () => {
    db = await openDatabase(":memory:", []);
  });
  after(async () => {
    await anvil?.stop();
  });

  test("a transaction priced under the base fee is replaced with higher fees and lands", async () => {
    const clock = new ManualClock();
    const s = sender(clock);
    const before = await balance();
    const sent = await s.submit("mint:1", "mint", mint(addresses, recipient, 5n));
    const first = at(attemptsOf("mint:1"), 0);
    // The market moves past the transaction's fee cap: the next block cannot include it.
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: BigInt(first.maxFeePerGas) * 3n });
    await testClient.mine({ blocks: 1 });
    await tickAll(s);
    assert.equal(s.get("mint:1")?.status, "pending", "still pending: priced under the base fee");
    clock.advance(OPTIONS.bumpAfterMs - 1);
    await tickAll(s);
    assert.equal(attemptsOf("mint:1").length, 1, "not replaced before bumpAfterMs");
    // bumpAfterMs after the last broadcast (a re-broadcast of a transaction the node dropped restarts it).
    clock.advance(OPTIONS.bumpAfterMs);
    await tickAll(s);
    const attempts = attemptsOf("mint:1");
    assert.equal(attempts.length, 2, "replaced once");
    const replacement = at(attempts, 1);
    assert.ok(BigInt(replacement.maxFeePerGas) >= (BigInt(first.maxFeePerGas) * 112n) / 100n);
    assert.ok(BigInt(replacement.maxFeePerGas) > BigInt(first.maxFeePerGas) * 3n, "priced over the new base fee");
    await testClient.mine({ blocks: 1 });
    await tickAll(s);
    const r = s.get("mint:1");
    assert.equal(r?.status, "mined");
    assert.equal(r?.outcome, "success");
    assert.equal(r?.hash, replacement.hash, "the replacement is what was mined");
    assert.equal(r?.nonce, sent.nonce, "same nonce: a replacement, not a second transaction");
    assert.equal(await balance(), before + 5n, "minted once");
    await testClient.mine({ blocks: 1 });
    await tickAll(s);
    assert.equal(s.get("mint:1")?.status, "final");
  });

  test("a deadline near gets the fees raised before the usual delay", async () => {
    const clock = new ManualClock();
    const s = sender(clock, { bumpAfterMs: 3_600_000 });
    const now = (await head()).timestamp;
    await s.submit("mint:2", "mint", mint(addresses, recipient, 1n), { deadline: now + 10n });
    const first = at(attemptsOf("mint:2"), 0);
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: BigInt(first.maxFeePerGas) * 2n });
    await testClient.mine({ blocks: 1 });
    // Two seconds since the broadcast, far short of bumpAfterMs: only the deadline's margin bumps it.
    clock.advance(2_000);
    await tickAll(s);
    assert.equal(attemptsOf("mint:2").length, 2, "bumped: the deadline is within the margin");
    await testClient.mine({ blocks: 1 });
    await tickAll(s);
    assert.equal(s.get("mint:2")?.outcome, "success");
  });

  test("fees are never raised over the cap", async () => {
    const clock = new ManualClock();
    const s = sender(clock, { maxFeePerGas: parseGwei("2000") });
    await s.submit("mint:3", "mint", mint(addresses, recipient, 1n));
    const first = at(attemptsOf("mint:3"), 0);
    // A base fee far above the cap: no replacement may follow it.
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("5000") });
    await testClient.mine({ blocks: 1 });
    clock.advance(OPTIONS.bumpAfterMs);
    await tickAll(s);
    clock.advance(OPTIONS.bumpAfterMs);
    await tickAll(s);
    const attempts = attemptsOf("mint:3");
    assert.ok(
      attempts.every((a) => BigInt(a.maxFeePerGas) <= parseGwei("2000")),
      JSON.stringify(attempts),
    );
    assert.equal(at(attempts, 0).hash, first.hash);
    // The base fee falls back: the journal re-broadcasts what the node dropped or refused
    // while the base fee was over the cap, and the transaction lands.
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("1") });
    await testClient.mine({ blocks: 1 });
    await tickAll(s);
    await testClient.mine({ blocks: 1 });
    await tickAll(s);
    assert.equal(s.get("mint:3")?.outcome, "success");
  });

  test("a key is sent once, also by a journal reopened on the same database", async () => {
    const clock = new ManualClock();
    const s = sender(clock);
    const a = await s.submit("mint:4", "mint", mint(addresses, recipient, 1n));
    const again = await sender(clock).submit("mint:4", "mint", mint(addresses, recipient, 1n));
    assert.equal(again.hash, a.hash);
    assert.equal(again.nonce, a.nonce);
    assert.equal((db.prepare("SELECT count(*) AS n FROM txs WHERE key = 'mint:4'").get() as { n: number }).n, 1);
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("1") });
    await testClient.mine({ blocks: 1 });
    await tickAll(s);
    assert.equal(s.get("mint:4")?.outcome, "success");
  });
});
