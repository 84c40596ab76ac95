import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";

/** Addresses of one deployment of the protocol (see deployments/<network>.json). */
export interface ProtocolAddresses {
  readonly token: Address;
  readonly stakeManager: Address;
  readonly modelRegistry: Address;
  readonly jobManager: Address;
  readonly disputeGame: Address;
  readonly oneStepVerifier: Address;
}

/** What every action takes first: a reader, a signer and where the protocol lives. */
export interface RefuteClient {
  readonly public: PublicClient;
  readonly wallet: WalletClient<Transport, Chain, Account>;
  readonly addresses: ProtocolAddresses;
}
