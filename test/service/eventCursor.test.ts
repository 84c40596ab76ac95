/**
 * The event cursor (src/service/eventCursor.ts) against anvil, with a token whose
 * mints are the events: a large gap is read in capped ranges, in order, up to the
 * confirmed head; the overlap is read again without delivering a log twice; a cursor
 * opened on the same database (a restarted daemon) resumes from the persisted
 * position; a range the RPC refuses as too large is halved until it passes.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  custom,
  http,
  type Address,
  type PublicClient,
  type TestClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { tokenAbi } from "../../src/chain/abis.ts";
import { startAnvil, type AnvilNode } from "../../src/chain/anvil.ts";
import { loadArtifact } from "../../src/chain/artifacts.ts";
import { keyOf } from "../../src/demo/accounts.ts";
import {
  EventCursor,
  isRangeTooLarge,
  metaCursorStore,
  type CursorLog,
  type CursorStore,
} from "../../src/service/eventCursor.ts";
import { JsonRpcError } from "../../src/service/rpc.ts";
import { getMeta, META_TABLE, openDatabase, setMeta, type DatabaseSync } from "../../src/service/sqlite.ts";

interface Range {
  from: bigint;
  to: bigint;
}

/** A store in memory (the daemons use metaCursorStore). */
function memoryStore(): CursorStore & { value?: bigint } {
  const s: CursorStore & { value?: bigint } = {
    load: () => s.value,
    save: (b) => {
      s.value = b;
    },
  };
  return s;
}

/** The ranges are contiguous, in order, from `first` to `last`, none wider than `cap`. */
function assertCovers(ranges: readonly Range[], first: bigint, last: bigint, cap: bigint): void {
  assert.ok(ranges.length > 0);
  assert.equal(ranges[0]?.from, first, "starts where expected");
  assert.equal(ranges.at(-1)?.to, last, "ends where expected");
  for (const [i, r] of ranges.entries()) {
    assert.ok(r.to >= r.from, "a range is not empty");
    assert.ok(r.to - r.from + 1n <= cap, `range ${i} is at most ${cap} blocks`);
    const previous = ranges[i - 1];
    if (previous !== undefined) assert.equal(r.from, previous.to + 1n, "ranges follow each other in order");
  }
}

describe("event cursor", { timeout: 120_000 }, () => {
  let anvil: AnvilNode;
  let pub: PublicClient;
  let testClient: TestClient;
  let token: Address;
  let deployBlock: bigint;
  const account = privateKeyToAccount(keyOf("deployer"));
  const holder = privateKeyToAccount(keyOf("requester")).address;
  let minted = 0n;

  const wallet = () => createWalletClient({ chain: foundry, transport: http(anvil.rpcUrl), account });
  /** One mint, in a block of its own: one Transfer event. Its block number. */
  const mintOne = async (): Promise<bigint> => {
    minted += 1n;
    const hash = await wallet().writeContract({
      address: token,
      abi: tokenAbi,
      functionName: "mint",
      args: [holder, minted],
    });
    return (await pub.waitForTransactionReceipt({ hash })).blockNumber;
  };
  /** The Transfer logs of blocks from..to, in one call straight to anvil (the truth). */
  const transfers = (from: bigint, to: bigint) =>
    pub.getContractEvents({ address: token, abi: tokenAbi, eventName: "Transfer", fromBlock: from, toBlock: to });
  /** A cursor over the token's Transfer events that records every getLogs range it asks for. */
  const cursorOn = (
    client: PublicClient,
    store: CursorStore,
    opts: { confirmations?: number; overlap?: number; maxRange?: bigint } = {},
  ) => {
    const calls: Range[] = [];
    const cursor = new EventCursor({
      store,
      fetch: (fromBlock, toBlock) => {
        calls.push({ from: fromBlock, to: toBlock });
        return client.getContractEvents({ address: token, abi: tokenAbi, eventName: "Transfer", fromBlock, toBlock });
      },
      confirmations: opts.confirmations ?? 0,
      overlap: opts.overlap ?? 0,
      maxRange: opts.maxRange,
    });
    return { cursor, calls };
  };
  const collect = <L extends CursorLog>(into: L[]) => {
    return (logs: readonly L[]) => {
      into.push(...logs);
    };
  };
  const ids = (logs: readonly { transactionHash: string | null; logIndex: number | null }[]) =>
    logs.map((l) => `${l.transactionHash}:${l.logIndex}`);

  before(async () => {
    anvil = await startAnvil();
    // No cached block number: the test mines blocks between reads.
    pub = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), cacheTime: 0 }) as PublicClient;
    testClient = createTestClient({ chain: foundry, mode: "anvil", transport: http(anvil.rpcUrl) });
    const artifact = loadArtifact("contracts/test/TestToken.sol", "TestToken");
    const hash = await wallet().deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args: [] });
    const receipt = await pub.waitForTransactionReceipt({ hash });
    assert.ok(receipt.contractAddress);
    token = receipt.contractAddress;
    deployBlock = receipt.blockNumber;
    // Events spread over a gap of ~1000 blocks.
    await mintOne();
    await testClient.mine({ blocks: 400 });
    await mintOne();
    await mintOne();
    await testClient.mine({ blocks: 600 });
    await mintOne();
  });
  after(async () => {
    await anvil?.stop();
  });

  test("a large gap is read in capped ranges, in order, up to the confirmed head", async () => {
    const head = await pub.getBlockNumber();
    const { cursor, calls } = cursorOn(pub, memoryStore(), { maxRange: 100n, confirmations: 3 });
    cursor.init(deployBlock);
    assert.equal(cursor.position, deployBlock - 1n);
    const got: CursorLog[] = [];
    await cursor.poll(head, collect(got));
    const safe = head - 3n;
    assertCovers(calls, deployBlock, safe, 100n);
    assert.equal(BigInt(calls.length), (safe - deployBlock + 1n + 99n) / 100n, "ceil(gap / 100) calls");
    assert.ok(calls.length >= 10, "the gap needed many calls");
    assert.equal(cursor.position, safe, "the position is the confirmed head");
    const truth = await transfers(deployBlock, safe);
    assert.deepEqual(ids(got as typeof truth), ids(truth), "every log, once, in chain order");
    // The last mint of before() is in the unconfirmed blocks: it comes once it is deep enough.
    const pending = await transfers(safe + 1n, head);
    assert.equal(pending.length, 1, "one mint not confirmed yet");
    const last = await mintOne();
    await testClient.mine({ blocks: 3 });
    const got2: CursorLog[] = [];
    await cursor.poll(last + 2n, collect(got2));
    assert.deepEqual(ids(got2 as typeof truth), ids(pending), "confirmed now; the newest mint is not yet");
    await cursor.poll(last + 3n, collect(got2));
    assert.deepEqual(ids(got2 as typeof truth), ids(await transfers(safe + 1n, last)));
    assert.equal(cursor.position, last);
  });

  test("the overlap is read again, but a log is delivered once", async () => {
    const { cursor, calls } = cursorOn(pub, memoryStore(), { overlap: 5 });
    cursor.init(deployBlock);
    const got: CursorLog[] = [];
    const head = await pub.getBlockNumber();
    await cursor.poll(head, collect(got));
    const before = got.length;
    assert.ok(before >= 4);
    // Nothing new: the overlap is read again, nothing is delivered.
    calls.length = 0;
    await cursor.poll(head, collect(got));
    assert.deepEqual(calls, [{ from: head - 4n, to: head }], "re-reads the last 5 blocks");
    assert.equal(got.length, before, "no log delivered twice");
    // One new log right after a block with one: the overlap covers both, only the new one comes.
    const a = await mintOne();
    const b = await mintOne();
    calls.length = 0;
    await cursor.poll(a, collect(got));
    assert.equal(got.length, before + 1);
    await cursor.poll(b, collect(got));
    assert.equal(calls[1]?.from, a + 1n - 5n, "the second poll re-read the first one's block");
    assert.equal(got.length, before + 2, "the mint of block a came once");
    assert.deepEqual(ids(got.slice(before) as never), ids(await transfers(a, b)));
    // After a rewind, what is above the ancestor is delivered again (and what the re-read overlap
    // below it holds may be too: only the last `overlap` blocks' logs are remembered).
    cursor.rewind(a - 1n);
    assert.equal(cursor.position, a - 1n);
    calls.length = 0;
    const mark = got.length;
    await cursor.poll(b, collect(got));
    assert.deepEqual(calls, [{ from: a - 5n, to: b }]);
    const again = got.slice(mark) as Awaited<ReturnType<typeof transfers>>;
    assert.deepEqual(ids(again.filter((l) => l.blockNumber >= a)), ids(await transfers(a, b)), "both mints again");
    assert.ok(again.every((l) => l.blockNumber >= a - 5n));
  });

  test("a cursor opened on the same database resumes from the persisted position", async () => {
    const db: DatabaseSync = await openDatabase(":memory:", [META_TABLE]);
    // A database written before the cursor existed: the same key, the same decimal block number.
    setMeta(db, "jobs_cursor", String(deployBlock + 400n));
    const first = cursorOn(pub, metaCursorStore(db, "jobs_cursor"), { maxRange: 2000n });
    first.cursor.init(deployBlock);
    assert.equal(first.cursor.position, deployBlock + 400n, "init keeps a stored position");
    const head = await pub.getBlockNumber();
    const got: CursorLog[] = [];
    await first.cursor.poll(head, collect(got));
    assert.deepEqual(first.calls, [{ from: deployBlock + 401n, to: head }], "reads from the stored position on");
    assert.deepEqual(ids(got as never), ids(await transfers(deployBlock + 401n, head)));
    assert.equal(getMeta(db, "jobs_cursor"), head.toString(), "stored as the daemons always stored it");
    // "Restart": a new cursor on the same database, with an overlap of 2.
    const next = await mintOne();
    const second = cursorOn(pub, metaCursorStore(db, "jobs_cursor"), { overlap: 2 });
    second.cursor.init(deployBlock);
    assert.equal(second.cursor.position, head);
    const got2: CursorLog[] = [];
    await second.cursor.poll(next, collect(got2));
    assert.deepEqual(second.calls, [{ from: head - 1n, to: next }], "resumes at the position, less the overlap");
    // After a restart the overlap is delivered again (the daemons' handlers are idempotent): here it
    // holds the previous test's two mints, which come again with the new one.
    assert.deepEqual(ids(got2 as never), ids(await transfers(head - 1n, next)));
    assert.equal(got2.length, 3);
    assert.equal(getMeta(db, "jobs_cursor"), next.toString());
    db.close();
  });

  test("a range the RPC refuses as too large is halved until it passes", async () => {
    // A node that serves at most 64 blocks per getLogs (as hosted RPCs do), through viem's error mapping.
    let refused = 0;
    const limited = createPublicClient({
      chain: foundry,
      transport: custom(
        {
          request: async ({ method, params }: { method: string; params?: unknown }) => {
            if (method === "eth_getLogs") {
              const [q] = params as [{ fromBlock: string; toBlock: string }];
              if (BigInt(q.toBlock) - BigInt(q.fromBlock) + 1n > 64n) {
                refused++;
                throw new JsonRpcError(-32005, "query exceeds max block range 64");
              }
            }
            return pub.request({ method, params } as never);
          },
        },
        { retryCount: 0 },
      ),
    }) as PublicClient;
    const { cursor, calls } = cursorOn(limited, memoryStore(), { maxRange: 1000n });
    cursor.init(deployBlock);
    const head = await pub.getBlockNumber();
    const got: CursorLog[] = [];
    await cursor.poll(head, collect(got));
    const passed = calls.filter((c) => c.to - c.from + 1n <= 64n);
    assert.equal(refused, calls.length - passed.length);
    assert.ok(refused >= 1 && refused <= 5, `a few halvings (${refused}), not one per range`);
    assertCovers(passed, deployBlock, head, 64n);
    assert.ok(cursor.range <= 64n, "the narrower range is kept");
    assert.equal(cursor.position, head);
    assert.deepEqual(ids(got as never), ids(await transfers(deployBlock, head)), "nothing lost by the splits");
  });

  test("a refusal that halving cannot fix, or another error, reaches the caller", async () => {
    const store = memoryStore();
    let tries = 0;
    const always = new EventCursor<CursorLog>({
      store,
      fetch: () => {
        tries++;
        return Promise.reject(new Error("block range is too large"));
      },
      confirmations: 0,
      overlap: 0,
      maxRange: 2000n,
    });
    always.init(0n);
    await assert.rejects(
      always.poll(5000n, () => {}),
      /block range is too large/,
    );
    assert.ok(tries <= 12, `bounded: ${tries} tries from 2000 blocks down to 1`);
    assert.equal(always.range, 1n);
    assert.equal(store.value, -1n, "the position did not move");

    tries = 0;
    const other = new EventCursor<CursorLog>({
      store: memoryStore(),
      fetch: () => {
        tries++;
        return Promise.reject(new Error("connection refused"));
      },
      confirmations: 0,
      overlap: 0,
    });
    await assert.rejects(
      other.poll(5000n, () => {}),
      /connection refused/,
    );
    assert.equal(tries, 1, "not retried: not a range error");
    assert.equal(other.range, 2000n);
  });

  test("range errors are recognized by their messages, through error causes", () => {
    for (const m of [
      "query returned more than 10000 results",
      "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
      "eth_getLogs is limited to a 10,000 range",
      "exceed maximum block range: 5000",
      "block range too large",
      "query exceeds max block range 64",
    ]) {
      assert.ok(isRangeTooLarge(new Error("RPC failed", { cause: new JsonRpcError(-32005, m) })), m);
    }
    for (const m of ["execution reverted", "request rate exceeded", "header not found", "fetch failed"]) {
      assert.ok(!isRangeTooLarge(new Error(m)), m);
    }
  });
});
