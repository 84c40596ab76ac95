/**
 * anvil's default development accounts (mnemonic "test test … junk"): public keys
 * that every Foundry user has, funded with ETH on any fresh anvil node. For the
 * local demo and tests only — never for a real network.
 */
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { at } from "../tensor/at.ts";

export const ANVIL_KEYS: readonly Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
];

/**
 * Who plays which part in the demo and the tests. The demo's workload comes from two
 * requester accounts so that each provider serves its own (`refute provide
 * --requester`) instead of racing for every job: `requester`'s jobs go to the honest
 * provider, `secondRequester`'s to the cheating one. `refute dev` runs a provider as
 * `honestProvider` and a watcher as `watcher`, and funds `ownProvider` and `ownWatcher`
 * for daemons a developer starts by hand.
 */
export const ROLES = {
  deployer: 0,
  requester: 1,
  honestProvider: 2,
  cheatingProvider: 3,
  watcher: 4,
  secondRequester: 5,
  ownProvider: 6,
  ownWatcher: 7,
} as const;
export type Role = keyof typeof ROLES;

export function keyOf(role: Role): Hex {
  return at(ANVIL_KEYS, ROLES[role]);
}

export function addressOf(role: Role): Address {
  return privateKeyToAccount(keyOf(role)).address;
}
