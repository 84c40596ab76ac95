/**
 * The watcher's request cache (watcher/requests.ts): a later log of a job replaces the
 * earlier one, a reorg's rewind forgets what was logged above the ancestor, and the
 * byte bound evicts the oldest requests first.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Hex } from "viem";
import { RequestCache } from "../../watcher/requests.ts";

const log = (jobId: bigint, blockNumber: bigint, inputBytes: number, tag = "aa") => ({
  blockNumber,
  args: {
    jobId,
    modelId: `0x${"11".repeat(32)}` as Hex,
    requester: `0x${"22".repeat(20)}` as Hex,
    inputRoot: `0x${tag.repeat(32)}` as Hex,
    input: `0x${tag.repeat(inputBytes)}` as Hex,
    inputUri: "",
    fee: 5n,
    commitDeadline: 100n,
  },
});

test("a later log of the same job replaces the earlier one", () => {
  const c = new RequestCache();
  c.add(log(1n, 10n, 4, "aa"));
  c.add(log(1n, 12n, 4, "bb"));
  assert.equal(c.size, 1);
  assert.equal(c.get(1n)?.inputRoot, `0x${"bb".repeat(32)}`);
  assert.equal(c.get(1n)?.blockNumber, 12n);
});

test("a rewind forgets the requests logged above the ancestor, and only those", () => {
  const c = new RequestCache();
  for (let i = 1n; i <= 5n; i++) c.add(log(i, 10n + i, 4));
  c.rewind(13n);
  assert.deepEqual(
    [1n, 2n, 3n, 4n, 5n].map((id) => c.get(id) !== undefined),
    [true, true, true, false, false],
  );
});

test("the byte bound evicts the oldest requests first", () => {
  // Each request counts 2·100 + 2 hex characters of input plus 256: 458 bytes.
  const c = new RequestCache(458 * 3);
  for (let i = 1n; i <= 5n; i++) c.add(log(i, i, 100));
  assert.equal(c.size, 3);
  assert.deepEqual(
    [1n, 2n, 3n, 4n, 5n].map((id) => c.get(id) !== undefined),
    [false, false, true, true, true],
  );
  // Replacing a request frees its old bytes: nothing else is evicted.
  c.add(log(5n, 6n, 100, "cc"));
  assert.equal(c.size, 3);
  assert.ok(c.get(3n));
});
