import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";

/** Addresses of one deployment of the protocol (see deployments/<network>.json). */
export interface ProtocolAddresses {
  readonly token: Address;
  readonly stakeManager: Address;
  readonly modelRegistry: Address;
  readonly jobManager: Address;
  readonly disputeGame: Address;
  readonly oneStepVerifier: Address;
  /** The float32 profile's one-step verifier (docs/PROTOCOL.md §11.10), when the deployment has one. */
  readonly floatStepVerifier?: Address;
}

/** What every action takes first: a reader, a signer and where the protocol lives. */
export interface RefuteClient {
  readonly public: PublicClient;
  readonly wallet: WalletClient<Transport, Chain, Account>;
  readonly addresses: ProtocolAddresses;
}
