/**
 * Jobs requested by root and URI (`requestWithRoot`), end to end: the inputs are
 * served by an HTTP server on 127.0.0.1; an honest provider, a provider that
 * commits wrong outputs, and a watcher sampling every job fetch them, check them
 * against the on-chain inputRoot, trace, verify and dispute as with inline inputs.
 * A URI serving other bytes than the root is refused by both, and nothing is committed.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Hex } from "viem";
import { requestJobByUri } from "../../src/client/calls.ts";
import { send } from "../../src/client/send.ts";
import { JobStatus } from "../../src/chain/enums.ts";
import { tensorRoot } from "../../src/tensor/commitment.ts";
import { pack } from "../../src/tensor/packing.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import {
  Daemon,
  E2E_PARAMS,
  imageInput,
  keyEnv,
  providerArgs,
  ROLE,
  setupChain,
  TOKEN,
  until,
  watcherArgs,
  type Chain,
  jobOf,
} from "./harness.ts";

describe("e2e: inputs by root and URI", { timeout: 240_000 }, () => {
  let chain: Chain;
  let server: Server;
  let base: string;
  const served = new Map<string, Uint8Array>();
  const daemons: Daemon[] = [];
  let honestJob: bigint;
  let badJob: bigint;
  let wrongBytesJob: bigint;

  const requestByUri = async (role: number, input: Tensor, path: string, root: Hex = tensorRoot(input)) => {
    served.set(path, pack(input));
    const now = (await chain.public.getBlock()).timestamp;
    const { receipt } = await send(
      chain.client(role),
      requestJobByUri(chain.addresses, {
        modelId: chain.modelId,
        inputRoot: root,
        inputUri: `${base}${path}`,
        fee: TOKEN,
        commitDeadline: now + 120n,
      }),
    );
    const log = receipt.logs.find((l) => l.address.toLowerCase() === chain.addresses.jobManager.toLowerCase());
    return BigInt(log?.topics[1] ?? "0x0");
  };
  const jobOfId = (jobId: bigint) => jobOf(chain, jobId);

  before(async () => {
    server = createServer((req, res) => {
      const body = served.get(req.url ?? "");
      if (body === undefined) {
        res.writeHead(404);
        res.end();
      } else res.end(Buffer.from(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    base = `http://${host}`;
    chain = await setupChain({ params: { ...E2E_PARAMS, challengeWindow: 40n, responseWindow: 25n } });
    const onlyHere = ["--input-host", host];
    const honest = new Daemon(
      providerArgs(chain, ROLE.honest, ["--requester", chain.address(ROLE.requesterA), ...onlyHere]),
      keyEnv(ROLE.honest),
      "honest",
    );
    const cheater = new Daemon(
      providerArgs(chain, ROLE.cheater, [
        "--requester",
        chain.address(ROLE.requesterB),
        "--fault",
        "wrong-output",
        "--fault-rate",
        "1",
        ...onlyHere,
      ]),
      keyEnv(ROLE.cheater),
      "cheater",
    );
    const watcher = new Daemon(watcherArgs(chain, onlyHere), keyEnv(ROLE.watcher), "watcher");
    daemons.push(honest, cheater, watcher);
    await Promise.all(daemons.map((d) => d.started()));
    honestJob = await requestByUri(ROLE.requesterA, imageInput(chain.compiled, 3), "/inputs/a");
    badJob = await requestByUri(ROLE.requesterB, imageInput(chain.compiled, 4), "/inputs/b");
    // The root of one image, the bytes of another at the URI.
    wrongBytesJob = await requestByUri(
      ROLE.requesterA,
      imageInput(chain.compiled, 5),
      "/inputs/c",
      tensorRoot(imageInput(chain.compiled, 6)),
    );
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
    server?.closeAllConnections();
    server?.close();
  });

  it("providers fetch the inputs, the watcher verifies the honest job and slashes the wrong one", async () => {
    await until(
      async () =>
        (await jobOfId(honestJob)).status === JobStatus.Finalized &&
        (await jobOfId(badJob)).status === JobStatus.Slashed,
      180_000,
      "the honest job finalized and the bad one slashed",
      () => daemons.map((d) => d.tail(12)).join("\n"),
    );
    const [honest, cheater, watcher] = daemons;
    assert.ok(honest && cheater && watcher);
    for (const [d, id] of [
      [honest, honestJob],
      [cheater, badJob],
    ] as const)
      assert.ok(
        d.find((l) => l.msg === "job input fetched" && String(l["jobId"]) === String(id)),
        `${d.name} fetched`,
      );
    assert.ok(watcher.find((l) => l.msg === "job verified" && String(l["jobId"]) === String(honestJob)));
    assert.ok(watcher.find((l) => l.msg === "job input fetched" && String(l["jobId"]) === String(badJob)));
  });

  it("bytes that do not match the inputRoot are refused and the job is never committed", async () => {
    const honest = daemons[0];
    assert.ok(honest);
    const refused = await honest.waitFor(
      (l) => l.msg === "job input refused; skipping job" && String(l["jobId"]) === String(wrongBytesJob),
      30_000,
      "the refusal",
    );
    assert.match(String(refused["reason"]), /the job's inputRoot is 0x/);
    assert.equal((await jobOfId(wrongBytesJob)).status, JobStatus.Requested);
  });
});
