// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Duration, Timestamp} from "../libraries/Types.sol";

// The most response windows one dispute can take: the provider's node roots, the
// challenger's node selection, up to 6 k-ary reveal rounds of 2 moves each and the
// one-step proof. Interfaces cannot hold constants, so it lives beside the interface.
uint256 constant MAX_DISPUTE_RESPONSES = 15;

/// @title IStakeManager
/// @notice Holds every provider's stake in the protocol token, in three buckets: free
///         (can back new jobs or start unbonding), locked (collateral of committed jobs,
///         only the JobManager can unlock it and only the slasher can take it) and
///         unbonding (on its way out; leaves after `unbondingDelay`, can never back a job).
/// @dev The unbonding delay outlasts the longest window plus the longest dispute, so a
///      provider cannot walk away from a job before it is settled.
interface IStakeManager {
    /// @notice An address parameter that must be set was zero.
    error ZeroAddress();
    /// @notice An amount that must be positive was zero.
    error ZeroAmount();
    /// @notice A window cap of zero: no model could ever be registered.
    /// @param maxChallengeWindow The challenge window cap given.
    /// @param maxResponseWindow The response window cap given.
    error ZeroWindowCap(Duration maxChallengeWindow, Duration maxResponseWindow);
    /// @notice The response window bounds are not `0 < min ≤ max`.
    /// @param minResponseWindow The minimum given.
    /// @param maxResponseWindow The maximum given.
    error InvalidResponseWindowBounds(Duration minResponseWindow, Duration maxResponseWindow);
    /// @notice The unbonding delay does not outlast the longest window plus dispute.
    /// @param unbondingDelay The delay given.
    /// @param minimumExclusive maxChallengeWindow + MAX_DISPUTE_RESPONSES * maxResponseWindow;
    ///        the delay must be strictly greater.
    error UnbondingDelayTooShort(Duration unbondingDelay, uint256 minimumExclusive);
    /// @notice `initialize` called by someone other than the deployer.
    /// @param caller The caller.
    error NotDeployer(address caller);
    /// @notice `initialize` called a second time.
    error AlreadyInitialized();
    /// @notice A JobManager-only function called by someone else.
    /// @param caller The caller.
    error NotJobManager(address caller);
    /// @notice A slasher-only function called by someone else.
    /// @param caller The caller.
    error NotSlasher(address caller);
    /// @notice A deposit that would take the provider's whole stake past 2^128 - 1.
    /// @param amount The amount given.
    error AmountTooLarge(uint256 amount);
    /// @notice The provider's free stake does not cover the amount.
    /// @param provider The provider.
    /// @param free Its free stake.
    /// @param amount The amount asked for.
    error InsufficientFreeStake(address provider, uint256 free, uint256 amount);
    /// @notice The provider's locked stake does not cover the amount.
    /// @param provider The provider.
    /// @param locked Its locked stake.
    /// @param amount The amount asked for.
    error InsufficientLockedStake(address provider, uint256 locked, uint256 amount);
    /// @notice `withdraw` with nothing unbonding.
    /// @param provider The caller.
    error NothingUnbonding(address provider);
    /// @notice `withdraw` before the unbonding delay has passed.
    /// @param provider The caller.
    /// @param readyAt When the unbonding stake can leave.
    error UnbondingNotReady(address provider, Timestamp readyAt);

    /// @notice The JobManager and the slasher were wired in.
    /// @param jobManager The only address that may lock and unlock.
    /// @param slasher The only address that may slash.
    event Initialized(address jobManager, address slasher);
    /// @notice Free stake added.
    /// @param provider The provider.
    /// @param amount The amount deposited.
    event Deposited(address indexed provider, uint256 amount);
    /// @notice Free stake moved to locked.
    /// @param provider The provider.
    /// @param amount The amount locked.
    event Locked(address indexed provider, uint256 amount);
    /// @notice Locked stake moved back to free.
    /// @param provider The provider.
    /// @param amount The amount unlocked.
    event Unlocked(address indexed provider, uint256 amount);
    /// @notice Locked stake taken and transferred, in one transfer, to the slasher's receiver.
    /// @param provider The provider slashed.
    /// @param amount The amount taken from its locked stake.
    /// @param to Who received it (in Refute's deployment the dispute game, which credits
    ///        the shares to claimable balances).
    event Slashed(address indexed provider, uint256 amount, address indexed to);
    /// @notice Free stake moved to the unbonding bucket.
    /// @param provider The provider.
    /// @param amount The amount added to the bucket.
    /// @param readyAt When the whole bucket can be withdrawn.
    event WithdrawalRequested(address indexed provider, uint256 amount, Timestamp readyAt);
    /// @notice The unbonding bucket paid out.
    /// @param provider The provider.
    /// @param amount The amount withdrawn.
    event Withdrawn(address indexed provider, uint256 amount);

    /// @notice The protocol token: stakes, fees and bonds.
    function token() external view returns (IERC20);

    /// @notice How long unbonding stake waits before it can be withdrawn.
    function unbondingDelay() external view returns (Duration);

    /// @notice The longest challenge window a model may register.
    function maxChallengeWindow() external view returns (Duration);

    /// @notice The shortest response window a model may register: every dispute deadline
    ///         is one response window, so it must leave a party time to get a transaction
    ///         included on this chain (docs/PROTOCOL.md §9).
    function minResponseWindow() external view returns (Duration);

    /// @notice The longest response window a model may register.
    function maxResponseWindow() external view returns (Duration);

    /// @notice MAX_DISPUTE_RESPONSES: the most response windows one dispute can take.
    function maxDisputeResponses() external pure returns (uint256);

    /// @notice The only address that may lock and unlock (zero until initialized).
    function jobManager() external view returns (address);

    /// @notice The only address that may slash (zero until initialized). In Refute's
    ///         deployment this is the JobManager, which forwards the dispute game's
    ///         `settleFraud` so that a slash always takes one job's whole collateral,
    ///         and sends it to the dispute game.
    function slasher() external view returns (address);

    /// @notice Wires in the JobManager and the slasher, once, by the deployer.
    /// @param jobManager_ The only address that may lock and unlock.
    /// @param slasher_ The only address that may slash.
    function initialize(address jobManager_, address slasher_) external;

    /// @notice Adds `amount` of the caller's tokens to its free stake (needs an allowance).
    /// @param amount The amount, > 0.
    function deposit(uint256 amount) external;

    /// @notice Moves `amount` of free stake into the unbonding bucket and restarts the
    ///         bucket's clock: the whole bucket becomes withdrawable `unbondingDelay`
    ///         from now.
    /// @param amount The amount, > 0 and ≤ free stake.
    function requestWithdrawal(uint256 amount) external;

    /// @notice Pays the caller its whole unbonding bucket once the delay has passed.
    /// @return amount The amount paid.
    function withdraw() external returns (uint256 amount);

    /// @notice Moves `amount` of the provider's free stake to locked. JobManager only.
    /// @param provider The provider.
    /// @param amount The amount, ≤ free stake (unbonding stake never counts).
    function lock(address provider, uint256 amount) external;

    /// @notice Moves `amount` of the provider's locked stake back to free. JobManager only.
    /// @param provider The provider.
    /// @param amount The amount, ≤ locked stake.
    function unlock(address provider, uint256 amount) external;

    /// @notice Takes `amount` of the provider's locked stake and transfers it to `to` in
    ///         one transfer. Slasher only. Never touches free or unbonding stake. There is
    ///         one recipient, chosen by the slasher (the dispute game, which splits the
    ///         amount into claimable balances), so no third party can make a slash revert.
    /// @param provider The provider.
    /// @param amount The amount taken, ≤ locked stake.
    /// @param to Who receives it, non-zero.
    function slash(address provider, uint256 amount, address to) external;

    /// @notice A provider's stake.
    /// @param provider The provider.
    /// @return free Stake that can back new jobs or start unbonding.
    /// @return locked Collateral of committed jobs.
    /// @return unbonding Stake on its way out.
    /// @return unbondingReadyAt When the unbonding stake can be withdrawn (0 if none).
    function stakeOf(
        address provider
    ) external view returns (uint256 free, uint256 locked, uint256 unbonding, Timestamp unbondingReadyAt);

    /// @notice Free + locked + unbonding summed over all providers: the token balance
    ///         this contract must hold.
    function totalStaked() external view returns (uint256);
}
