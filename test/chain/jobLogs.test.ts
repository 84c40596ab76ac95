/**
 * The direct decoder of JobRequested and JobCommitted logs (src/chain/read/jobLogs.ts)
 * gives viem's decodeEventLog arguments for arbitrary logs, and leaves out (as viem's
 * strict mode does) a log whose data does not decode.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bytesToHex,
  decodeEventLog,
  encodeAbiParameters,
  encodeEventTopics,
  getAbiItem,
  getAddress,
  type Hex,
} from "viem";
import { jobManagerAbi } from "../../src/chain/abis.ts";
import { decodeJobCommitted, decodeJobRequested, type RawLog } from "../../src/chain/read/jobLogs.ts";
import { Rng } from "../../src/vectors/rng.ts";

const requested = getAbiItem({ abi: jobManagerAbi, name: "JobRequested" });
const committed = getAbiItem({ abi: jobManagerAbi, name: "JobCommitted" });

const randomBytes = (rng: Rng, n: number): Hex => bytesToHex(Uint8Array.from({ length: n }, () => rng.int(256)));
const randomWord = (rng: Rng): Hex => randomBytes(rng, 32);
const randomAddress = (rng: Rng): Hex => getAddress(randomBytes(rng, 20));

const rawLog = (topics: Hex[], data: Hex): RawLog => ({
  topics,
  data,
  blockNumber: 7n,
  blockHash: `0x${"ab".repeat(32)}`,
  transactionHash: `0x${"cd".repeat(32)}`,
  transactionIndex: 0,
  logIndex: 3,
  address: "0x00000000000000000000000000000000000000aa",
  removed: false,
});

function requestLog(rng: Rng): RawLog {
  const jobId = rng.bigintIn(0n, (1n << BigInt(rng.int(257))) - 1n);
  const topics = encodeEventTopics({
    abi: [requested],
    eventName: "JobRequested",
    args: { jobId, modelId: randomWord(rng), requester: randomAddress(rng) },
  }) as Hex[];
  const uri = rng.int(3) === 0 ? "" : `https://example.org/inputs/${rng.int(1e9)}/ü${"x".repeat(rng.int(70))}`;
  const data = encodeAbiParameters(
    [{ type: "bytes32" }, { type: "bytes" }, { type: "string" }, { type: "uint256" }, { type: "uint64" }],
    [
      randomWord(rng),
      randomBytes(rng, rng.int(900)),
      uri,
      rng.bigintIn(0n, 2n ** 256n - 1n),
      rng.bigintIn(0n, 2n ** 64n - 1n),
    ],
  );
  return rawLog(topics, data);
}

function commitLog(rng: Rng): RawLog {
  const topics = encodeEventTopics({
    abi: [committed],
    eventName: "JobCommitted",
    args: { jobId: rng.bigintIn(0n, 2n ** 256n - 1n), provider: randomAddress(rng) },
  }) as Hex[];
  const data = encodeAbiParameters(
    [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes" }, { type: "uint64" }],
    [randomWord(rng), randomWord(rng), randomBytes(rng, rng.int(200)), rng.bigintIn(0n, 2n ** 64n - 1n)],
  );
  return rawLog(topics, data);
}

const viemArgs = (log: RawLog) =>
  decodeEventLog({ abi: jobManagerAbi, topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true }).args;

test("JobRequested: the same arguments as viem for 300 random logs", () => {
  const rng = new Rng(41);
  for (let i = 0; i < 300; i++) {
    const log = requestLog(rng);
    const mine = decodeJobRequested(log);
    assert.ok(mine, `log ${i} decodes`);
    assert.deepEqual(mine.args, viemArgs(log));
    assert.equal(mine.eventName, "JobRequested");
    assert.equal(mine.blockNumber, 7n);
    assert.equal(mine.logIndex, 3);
  }
});

test("JobCommitted: the same arguments as viem for 300 random logs", () => {
  const rng = new Rng(42);
  for (let i = 0; i < 300; i++) {
    const log = commitLog(rng);
    const mine = decodeJobCommitted(log);
    assert.ok(mine, `log ${i} decodes`);
    assert.deepEqual(mine.args, viemArgs(log));
    assert.equal(mine.eventName, "JobCommitted");
  }
});

test("a log that does not decode is left out, where viem's strict decoder throws", () => {
  const rng = new Rng(43);
  const good = requestLog(rng);
  const digits = good.data.slice(2);
  const cases: [string, RawLog][] = [
    ["data cut short", { ...good, data: `0x${digits.slice(0, digits.length - 64)}` }],
    ["input offset past the data", { ...good, data: `0x${digits.slice(0, 64)}${"f".repeat(64)}${digits.slice(128)}` }],
    ["a topic missing", { ...good, topics: good.topics.slice(0, 3) }],
    ["the other event's signature", { ...good, topics: [commitLog(rng).topics[0] as Hex, ...good.topics.slice(1)] }],
  ];
  for (const [what, log] of cases) {
    assert.equal(decodeJobRequested(log), undefined, what);
  }
  assert.throws(() => viemArgs(cases[0]?.[1] as RawLog));
  const c = commitLog(rng);
  assert.equal(decodeJobCommitted({ ...c, data: `0x${c.data.slice(2, 100)}` }), undefined, "commit data cut short");
  assert.equal(decodeJobCommitted(good), undefined, "a request is not a commit");
});
