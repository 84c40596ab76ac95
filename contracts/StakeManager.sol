// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IStakeManager, MAX_DISPUTE_RESPONSES} from "./interfaces/IStakeManager.sol";
import {Duration, Timestamp} from "./libraries/Types.sol";

/// @title StakeManager
/// @notice Providers' stakes: free, locked (job collateral) and unbonding.
/// @dev The token must be a plain ERC20 (no fee on transfer, no rebasing): the books
///      count amounts, not balance deltas.
contract StakeManager is IStakeManager {
    using SafeERC20 for IERC20;

    /// @dev Two slots: `free` and `locked` share one, so lock and unlock touch one slot.
    struct Stake {
        uint128 free;
        uint128 locked;
        uint128 unbonding;
        Timestamp unbondingReadyAt;
    }

    IERC20 internal immutable TOKEN;
    Duration internal immutable UNBONDING_DELAY;
    Duration internal immutable MAX_CHALLENGE_WINDOW;
    Duration internal immutable MIN_RESPONSE_WINDOW;
    Duration internal immutable MAX_RESPONSE_WINDOW;
    address internal immutable DEPLOYER;

    /// @inheritdoc IStakeManager
    address public jobManager;
    /// @inheritdoc IStakeManager
    address public slasher;
    /// @inheritdoc IStakeManager
    uint256 public totalStaked;

    mapping(address provider => Stake) private _stakes;

    modifier onlyJobManager() {
        require(msg.sender == jobManager, NotJobManager(msg.sender));
        _;
    }

    /// @param token_ The protocol token.
    /// @param unbondingDelay_ > maxChallengeWindow_ + MAX_DISPUTE_RESPONSES * maxResponseWindow_.
    /// @param maxChallengeWindow_ The longest challenge window a model may register, > 0.
    /// @param minResponseWindow_ The shortest response window a model may register: time
    ///        enough to get a transaction included on this chain (docs/PROTOCOL.md §9),
    ///        0 < min ≤ max.
    /// @param maxResponseWindow_ The longest response window a model may register, > 0.
    constructor(
        IERC20 token_,
        Duration unbondingDelay_,
        Duration maxChallengeWindow_,
        Duration minResponseWindow_,
        Duration maxResponseWindow_
    ) {
        require(address(token_) != address(0), ZeroAddress());
        require(
            maxChallengeWindow_.raw() != 0 && maxResponseWindow_.raw() != 0,
            ZeroWindowCap(maxChallengeWindow_, maxResponseWindow_)
        );
        require(
            minResponseWindow_.raw() != 0 && minResponseWindow_.raw() <= maxResponseWindow_.raw(),
            InvalidResponseWindowBounds(minResponseWindow_, maxResponseWindow_)
        );
        uint256 longestJob =
            uint256(maxChallengeWindow_.raw()) + MAX_DISPUTE_RESPONSES * uint256(maxResponseWindow_.raw());
        require(unbondingDelay_.raw() > longestJob, UnbondingDelayTooShort(unbondingDelay_, longestJob));
        TOKEN = token_;
        UNBONDING_DELAY = unbondingDelay_;
        MAX_CHALLENGE_WINDOW = maxChallengeWindow_;
        MIN_RESPONSE_WINDOW = minResponseWindow_;
        MAX_RESPONSE_WINDOW = maxResponseWindow_;
        DEPLOYER = msg.sender;
    }

    /// @inheritdoc IStakeManager
    function token() external view returns (IERC20) {
        return TOKEN;
    }

    /// @inheritdoc IStakeManager
    function unbondingDelay() external view returns (Duration) {
        return UNBONDING_DELAY;
    }

    /// @inheritdoc IStakeManager
    function maxChallengeWindow() external view returns (Duration) {
        return MAX_CHALLENGE_WINDOW;
    }

    /// @inheritdoc IStakeManager
    function minResponseWindow() external view returns (Duration) {
        return MIN_RESPONSE_WINDOW;
    }

    /// @inheritdoc IStakeManager
    function maxResponseWindow() external view returns (Duration) {
        return MAX_RESPONSE_WINDOW;
    }

    /// @inheritdoc IStakeManager
    function maxDisputeResponses() external pure returns (uint256) {
        return MAX_DISPUTE_RESPONSES;
    }

    /// @inheritdoc IStakeManager
    function initialize(address jobManager_, address slasher_) external {
        require(msg.sender == DEPLOYER, NotDeployer(msg.sender));
        require(jobManager == address(0), AlreadyInitialized());
        require(jobManager_ != address(0) && slasher_ != address(0), ZeroAddress());
        jobManager = jobManager_;
        slasher = slasher_;
        emit Initialized(jobManager_, slasher_);
    }

    /// @inheritdoc IStakeManager
    function deposit(uint256 amount) external {
        require(amount != 0, ZeroAmount());
        Stake storage s = _stakes[msg.sender];
        // Keeping a provider's whole stake below 2^128 makes every bucket move below safe.
        require(uint256(s.free) + s.locked + s.unbonding + amount <= type(uint128).max, AmountTooLarge(amount));
        s.free += uint128(amount);
        totalStaked += amount;
        emit Deposited(msg.sender, amount);
        TOKEN.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IStakeManager
    function requestWithdrawal(uint256 amount) external {
        require(amount != 0, ZeroAmount());
        Stake storage s = _stakes[msg.sender];
        uint256 free = s.free;
        require(amount <= free, InsufficientFreeStake(msg.sender, free, amount));
        Timestamp readyAt = Timestamp.wrap(uint64(block.timestamp) + UNBONDING_DELAY.raw());
        s.free = uint128(free - amount);
        s.unbonding += uint128(amount);
        s.unbondingReadyAt = readyAt;
        emit WithdrawalRequested(msg.sender, amount, readyAt);
    }

    /// @inheritdoc IStakeManager
    function withdraw() external returns (uint256 amount) {
        Stake storage s = _stakes[msg.sender];
        amount = s.unbonding;
        require(amount != 0, NothingUnbonding(msg.sender));
        Timestamp readyAt = s.unbondingReadyAt;
        // INVARIANT: stake leaves only after the unbonding delay, which outlasts any job.
        require(readyAt.isReached(), UnbondingNotReady(msg.sender, readyAt));
        s.unbonding = 0;
        s.unbondingReadyAt = Timestamp.wrap(0);
        totalStaked -= amount;
        emit Withdrawn(msg.sender, amount);
        TOKEN.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IStakeManager
    function lock(address provider, uint256 amount) external onlyJobManager {
        Stake storage s = _stakes[provider];
        uint256 free = s.free;
        // INVARIANT: only free stake backs a job; unbonding stake never does.
        require(amount <= free, InsufficientFreeStake(provider, free, amount));
        s.free = uint128(free - amount);
        s.locked += uint128(amount);
        emit Locked(provider, amount);
    }

    /// @inheritdoc IStakeManager
    function unlock(address provider, uint256 amount) external onlyJobManager {
        Stake storage s = _stakes[provider];
        uint256 locked = s.locked;
        require(amount <= locked, InsufficientLockedStake(provider, locked, amount));
        s.locked = uint128(locked - amount);
        s.free += uint128(amount);
        emit Unlocked(provider, amount);
    }

    /// @inheritdoc IStakeManager
    function slash(address provider, uint256 amount, address to) external {
        require(msg.sender == slasher, NotSlasher(msg.sender));
        require(to != address(0), ZeroAddress());
        Stake storage s = _stakes[provider];
        uint256 locked = s.locked;
        // INVARIANT: a slash takes locked collateral only, never more than is locked.
        require(amount <= locked, InsufficientLockedStake(provider, locked, amount));
        s.locked = uint128(locked - amount);
        totalStaked -= amount;
        emit Slashed(provider, amount, to);
        // One transfer to the slasher's receiver: no third party can make a slash revert.
        if (amount != 0) TOKEN.safeTransfer(to, amount);
    }

    /// @inheritdoc IStakeManager
    function stakeOf(
        address provider
    ) external view returns (uint256 free, uint256 locked, uint256 unbonding, Timestamp unbondingReadyAt) {
        Stake storage s = _stakes[provider];
        return (s.free, s.locked, s.unbonding, s.unbondingReadyAt);
    }
}
