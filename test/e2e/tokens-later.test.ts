/**
 * Daemons started before their account holds tokens recover by themselves when tokens
 * arrive, without a restart: the provider deposits its --stake, the watcher challenges
 * a bad job. Each logs the wait once, not every tick.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { stakeManagerAbi } from "../../src/chain/abis.ts";
import { mint } from "../../src/client/calls.ts";
import { send } from "../../src/client/send.ts";
import { ANVIL_KEYS } from "../../src/demo/accounts.ts";
import { privateKeyToAccount } from "viem/accounts";
import {
  Daemon,
  E2E_PARAMS,
  imageInput,
  KEYS,
  providerArgs,
  request,
  ROLE,
  setupChain,
  TOKEN,
  until,
  watcherArgs,
  type Chain,
} from "./harness.ts";

// anvil accounts with ETH but none of the protocol's tokens (the harness funds 1…5).
const PROVIDER_KEY = KEYS[6];
const WATCHER_KEY = ANVIL_KEYS[7] ?? assert.fail("anvil funds an eighth account");

describe("e2e: daemons started without tokens", { timeout: 240_000 }, () => {
  let chain: Chain;
  const daemons: Daemon[] = [];
  before(async () => {
    chain = await setupChain({ params: { ...E2E_PARAMS, challengeWindow: 90n, responseWindow: 30n } });
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await chain?.stop();
  });

  it("a provider stakes as soon as tokens arrive", async () => {
    const me = privateKeyToAccount(PROVIDER_KEY).address;
    const provider = new Daemon(
      providerArgs(chain, 6, ["--stake", "1000e18", "--requester", chain.address(ROLE.requesterA)]),
      { REFUTE_PRIVATE_KEY: PROVIDER_KEY },
      "poor-provider",
    );
    daemons.push(provider);
    const waiting = (l: { msg?: string }) =>
      l.msg === "cannot reach --stake: token balance too low; waiting for tokens";
    await provider.waitFor(waiting, 60_000, "the wait for tokens");
    await new Promise((r) => setTimeout(r, 2_000)); // a few more ticks: still logged once
    await send(chain.client(ROLE.deployer), mint(chain.addresses, me, 2_000n * TOKEN));
    const stake = async () =>
      (
        await chain.public.readContract({
          address: chain.addresses.stakeManager,
          abi: stakeManagerAbi,
          functionName: "stakeOf",
          args: [me],
        })
      )[0];
    await until(
      async () => (await stake()) >= 1_000n * TOKEN,
      60_000,
      "the deposit",
      () => provider.tail(),
    );
    await provider.waitFor((l) => l.msg === "stake reached --stake", 10_000, "the stake logged");
    assert.equal(provider.lines.filter(waiting).length, 1, "the wait is logged once");
    assert.equal(provider.lines.filter((l) => l.msg === "depositing stake").length, 1);
    assert.ok(provider.find((l) => l.msg === "tokens for --stake arrived"));
  });

  it("a watcher challenges a bad job once bond tokens arrive", async () => {
    const me = privateKeyToAccount(WATCHER_KEY).address;
    const cheater = new Daemon(
      providerArgs(chain, ROLE.cheater, [
        "--requester",
        chain.address(ROLE.requesterB),
        "--fault",
        "wrong-output",
        "--fault-rate",
        "1",
      ]),
      { REFUTE_PRIVATE_KEY: KEYS[ROLE.cheater] },
      "cheater",
    );
    const watcher = new Daemon(
      watcherArgs(chain, ["--db", `${chain.dir}/poor-watcher.sqlite`]),
      { REFUTE_PRIVATE_KEY: WATCHER_KEY },
      "poor-watcher",
    );
    daemons.push(cheater, watcher);
    await watcher.started();
    const jobId = await request(chain, ROLE.requesterB, imageInput(chain.compiled, 3));
    const waiting = (l: { msg?: string }) => l.msg === "cannot pay a challenger bond; waiting for tokens";
    await watcher.waitFor(waiting, 90_000, "the wait for bond tokens");
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(
      watcher.find((l) => l.msg === "challenge opened"),
      undefined,
    );
    await send(chain.client(ROLE.deployer), mint(chain.addresses, me, 100n * TOKEN));
    await watcher.waitFor((l) => l.msg === "tokens for challenger bonds arrived", 30_000, "the tokens noticed");
    await watcher.waitFor(
      (l) => l.msg === "challenge revealed" && String(l["jobId"]) === String(jobId),
      60_000,
      "the challenge revealed (bond posted)",
    );
    assert.equal(watcher.lines.filter(waiting).length, 1, "the wait is logged once");
  });
});
