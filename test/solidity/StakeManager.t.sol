// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {StakeManager} from "../../contracts/StakeManager.sol";
import {IStakeManager, MAX_DISPUTE_RESPONSES} from "../../contracts/interfaces/IStakeManager.sol";
import {Duration, Timestamp} from "../../contracts/libraries/Types.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";

contract StakeManagerTest is Test {
    uint64 internal constant MAX_CW = 1 days;
    uint64 internal constant MIN_RW = 1 minutes;
    uint64 internal constant MAX_RW = 1 hours;
    uint64 internal constant DELAY = MAX_CW + 15 * MAX_RW + 1;

    TestToken internal token;
    StakeManager internal stakes;
    address internal jm = makeAddr("jobManager");
    address internal slasher = makeAddr("slasher");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new TestToken();
        stakes = _deploy(DELAY, MAX_CW, MIN_RW, MAX_RW);
        stakes.initialize(jm, slasher);
        token.mint(alice, 1_000_000e18);
        vm.prank(alice);
        token.approve(address(stakes), type(uint256).max);
    }

    /// @dev A StakeManager whose minimum response window is 1 s (the delay and cap tests).
    function _deploy(uint64 delay, uint64 cw, uint64 rw) internal returns (StakeManager) {
        return _deploy(delay, cw, 1, rw);
    }

    function _deploy(uint64 delay, uint64 cw, uint64 minRw, uint64 rw) internal returns (StakeManager) {
        return
            new StakeManager(token, Duration.wrap(delay), Duration.wrap(cw), Duration.wrap(minRw), Duration.wrap(rw));
    }

    function _deposit(uint256 amount) internal {
        vm.prank(alice);
        stakes.deposit(amount);
    }

    function _lock(uint256 amount) internal {
        vm.prank(jm);
        stakes.lock(alice, amount);
    }

    function _assertStake(uint256 free, uint256 locked, uint256 unbonding) internal view {
        (uint256 f, uint256 l, uint256 u, ) = stakes.stakeOf(alice);
        assertEq(f, free, "free");
        assertEq(l, locked, "locked");
        assertEq(u, unbonding, "unbonding");
    }

    // ------------------------------------------------------------ constructor

    function test_constructor_setsConfiguration() public view {
        assertEq(address(stakes.token()), address(token));
        assertEq(stakes.unbondingDelay().raw(), DELAY);
        assertEq(stakes.maxChallengeWindow().raw(), MAX_CW);
        assertEq(stakes.minResponseWindow().raw(), MIN_RW);
        assertEq(stakes.maxResponseWindow().raw(), MAX_RW);
        assertEq(stakes.maxDisputeResponses(), 15);
        assertEq(MAX_DISPUTE_RESPONSES, 15);
        assertEq(stakes.totalStaked(), 0);
    }

    function test_constructor_zeroToken_reverts() public {
        vm.expectRevert(IStakeManager.ZeroAddress.selector);
        new StakeManager(
            IERC20(address(0)),
            Duration.wrap(DELAY),
            Duration.wrap(MAX_CW),
            Duration.wrap(MIN_RW),
            Duration.wrap(MAX_RW)
        );
    }

    function test_constructor_zeroMinResponseWindow_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeManager.InvalidResponseWindowBounds.selector,
                Duration.wrap(0),
                Duration.wrap(MAX_RW)
            )
        );
        _deploy(DELAY, MAX_CW, 0, MAX_RW);
    }

    function test_constructor_minResponseWindowAboveMax_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeManager.InvalidResponseWindowBounds.selector,
                Duration.wrap(MAX_RW + 1),
                Duration.wrap(MAX_RW)
            )
        );
        _deploy(DELAY, MAX_CW, MAX_RW + 1, MAX_RW);
    }

    function test_constructor_minResponseWindowEqualToMax_succeeds() public {
        StakeManager s = _deploy(DELAY, MAX_CW, MAX_RW, MAX_RW);
        assertEq(s.minResponseWindow().raw(), MAX_RW);
        assertEq(s.maxResponseWindow().raw(), MAX_RW);
    }

    function test_constructor_zeroChallengeWindowCap_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.ZeroWindowCap.selector, Duration.wrap(0), Duration.wrap(MAX_RW))
        );
        _deploy(DELAY, 0, MAX_RW);
    }

    function test_constructor_zeroResponseWindowCap_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStakeManager.ZeroWindowCap.selector, Duration.wrap(MAX_CW), Duration.wrap(0))
        );
        _deploy(DELAY, MAX_CW, 0);
    }

    function test_constructor_delayEqualToLongestJob_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeManager.UnbondingDelayTooShort.selector,
                Duration.wrap(DELAY - 1),
                uint256(DELAY - 1)
            )
        );
        _deploy(DELAY - 1, MAX_CW, MAX_RW);
    }

    function testFuzz_constructor_delayBound_enforced(uint64 delay, uint32 cw, uint32 rw) public {
        vm.assume(cw != 0 && rw != 0);
        uint256 longest = uint256(cw) + 15 * uint256(rw);
        if (delay > longest) {
            StakeManager s = _deploy(delay, cw, rw);
            assertEq(s.unbondingDelay().raw(), delay);
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(IStakeManager.UnbondingDelayTooShort.selector, Duration.wrap(delay), longest)
            );
            _deploy(delay, cw, rw);
        }
    }

    // ------------------------------------------------------------ initialize

    function test_initialize_byDeployer_wires() public {
        StakeManager s = _deploy(DELAY, MAX_CW, MAX_RW);
        vm.expectEmit(address(s));
        emit IStakeManager.Initialized(jm, slasher);
        s.initialize(jm, slasher);
        assertEq(s.jobManager(), jm);
        assertEq(s.slasher(), slasher);
    }

    function test_initialize_notDeployer_reverts() public {
        StakeManager s = _deploy(DELAY, MAX_CW, MAX_RW);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.NotDeployer.selector, alice));
        s.initialize(jm, slasher);
    }

    function test_initialize_twice_reverts() public {
        vm.expectRevert(IStakeManager.AlreadyInitialized.selector);
        stakes.initialize(bob, bob);
    }

    function test_initialize_zeroJobManager_reverts() public {
        StakeManager s = _deploy(DELAY, MAX_CW, MAX_RW);
        vm.expectRevert(IStakeManager.ZeroAddress.selector);
        s.initialize(address(0), slasher);
    }

    function test_initialize_zeroSlasher_reverts() public {
        StakeManager s = _deploy(DELAY, MAX_CW, MAX_RW);
        vm.expectRevert(IStakeManager.ZeroAddress.selector);
        s.initialize(jm, address(0));
    }

    function test_lock_beforeInitialize_reverts() public {
        StakeManager s = _deploy(DELAY, MAX_CW, MAX_RW);
        vm.prank(jm);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.NotJobManager.selector, jm));
        s.lock(alice, 0);
    }

    // ------------------------------------------------------------ deposit

    function test_deposit_addsFreeStake() public {
        vm.expectEmit(address(stakes));
        emit IStakeManager.Deposited(alice, 5e18);
        _deposit(5e18);
        _assertStake(5e18, 0, 0);
        assertEq(stakes.totalStaked(), 5e18);
        assertEq(token.balanceOf(address(stakes)), 5e18);
    }

    function testFuzz_deposit_anyAmount_credited(uint256 a, uint256 b) public {
        a = bound(a, 1, 500_000e18);
        b = bound(b, 1, 500_000e18);
        _deposit(a);
        _deposit(b);
        _assertStake(a + b, 0, 0);
        assertEq(stakes.totalStaked(), a + b);
        assertEq(token.balanceOf(address(stakes)), a + b);
    }

    function test_deposit_zero_reverts() public {
        vm.prank(alice);
        vm.expectRevert(IStakeManager.ZeroAmount.selector);
        stakes.deposit(0);
    }

    function test_deposit_withoutAllowance_reverts() public {
        token.mint(bob, 1e18);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(stakes), 0, 1e18)
        );
        stakes.deposit(1e18);
    }

    function test_deposit_pastUint128_reverts() public {
        uint256 huge = uint256(type(uint128).max);
        token.mint(bob, huge + 1);
        vm.startPrank(bob);
        token.approve(address(stakes), type(uint256).max);
        stakes.deposit(huge - 1);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.AmountTooLarge.selector, 2));
        stakes.deposit(2);
        vm.stopPrank();
    }

    function test_deposit_wholeStakePastUint128_reverts() public {
        uint256 half = uint256(type(uint128).max) / 2 + 1;
        token.mint(bob, 2 * half);
        vm.startPrank(bob);
        token.approve(address(stakes), type(uint256).max);
        stakes.deposit(half);
        vm.stopPrank();
        vm.prank(jm);
        stakes.lock(bob, half);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.AmountTooLarge.selector, half));
        stakes.deposit(half);
    }

    // ------------------------------------------------------------ requestWithdrawal

    function test_requestWithdrawal_movesToUnbonding() public {
        _deposit(10e18);
        Timestamp readyAt = Timestamp.wrap(uint64(block.timestamp) + DELAY);
        vm.expectEmit(address(stakes));
        emit IStakeManager.WithdrawalRequested(alice, 4e18, readyAt);
        vm.prank(alice);
        stakes.requestWithdrawal(4e18);
        (uint256 f, uint256 l, uint256 u, Timestamp r) = stakes.stakeOf(alice);
        assertEq(f, 6e18);
        assertEq(l, 0);
        assertEq(u, 4e18);
        assertEq(r.raw(), readyAt.raw());
        assertEq(stakes.totalStaked(), 10e18, "unbonding stake is still staked");
    }

    function test_requestWithdrawal_zero_reverts() public {
        _deposit(10e18);
        vm.prank(alice);
        vm.expectRevert(IStakeManager.ZeroAmount.selector);
        stakes.requestWithdrawal(0);
    }

    function test_requestWithdrawal_moreThanFree_reverts() public {
        _deposit(10e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.InsufficientFreeStake.selector, alice, 10e18, 10e18 + 1));
        stakes.requestWithdrawal(10e18 + 1);
    }

    function test_requestWithdrawal_lockedStake_reverts() public {
        _deposit(10e18);
        _lock(7e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.InsufficientFreeStake.selector, alice, 3e18, 4e18));
        stakes.requestWithdrawal(4e18);
    }

    function test_requestWithdrawal_again_restartsClock() public {
        _deposit(10e18);
        vm.prank(alice);
        stakes.requestWithdrawal(4e18);
        skip(1 hours);
        vm.prank(alice);
        stakes.requestWithdrawal(1e18);
        (, , uint256 u, Timestamp r) = stakes.stakeOf(alice);
        assertEq(u, 5e18);
        assertEq(r.raw(), uint64(block.timestamp) + DELAY);
    }

    // ------------------------------------------------------------ withdraw

    function test_withdraw_afterDelay_paysBucket() public {
        _deposit(10e18);
        vm.prank(alice);
        stakes.requestWithdrawal(4e18);
        uint256 before = token.balanceOf(alice);
        skip(DELAY);
        vm.expectEmit(address(stakes));
        emit IStakeManager.Withdrawn(alice, 4e18);
        vm.prank(alice);
        assertEq(stakes.withdraw(), 4e18);
        assertEq(token.balanceOf(alice), before + 4e18);
        (uint256 f, , uint256 u, Timestamp r) = stakes.stakeOf(alice);
        assertEq(f, 6e18);
        assertEq(u, 0);
        assertEq(r.raw(), 0);
        assertEq(stakes.totalStaked(), 6e18);
        assertEq(token.balanceOf(address(stakes)), 6e18);
    }

    function testFuzz_withdraw_beforeDelay_reverts(uint256 wait) public {
        wait = bound(wait, 0, DELAY - 1);
        _deposit(10e18);
        vm.prank(alice);
        stakes.requestWithdrawal(4e18);
        Timestamp readyAt = Timestamp.wrap(uint64(block.timestamp) + DELAY);
        skip(wait);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.UnbondingNotReady.selector, alice, readyAt));
        stakes.withdraw();
    }

    function test_withdraw_nothingUnbonding_reverts() public {
        _deposit(10e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.NothingUnbonding.selector, alice));
        stakes.withdraw();
    }

    function test_withdraw_twice_reverts() public {
        _deposit(10e18);
        vm.prank(alice);
        stakes.requestWithdrawal(4e18);
        skip(DELAY);
        vm.startPrank(alice);
        stakes.withdraw();
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.NothingUnbonding.selector, alice));
        stakes.withdraw();
        vm.stopPrank();
    }

    // ------------------------------------------------------------ lock / unlock

    function test_lock_movesFreeToLocked() public {
        _deposit(10e18);
        vm.expectEmit(address(stakes));
        emit IStakeManager.Locked(alice, 3e18);
        _lock(3e18);
        _assertStake(7e18, 3e18, 0);
        assertEq(stakes.totalStaked(), 10e18);
    }

    function test_lock_notJobManager_reverts() public {
        _deposit(10e18);
        vm.prank(slasher);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.NotJobManager.selector, slasher));
        stakes.lock(alice, 1);
    }

    function test_lock_moreThanFree_reverts() public {
        _deposit(10e18);
        vm.prank(jm);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.InsufficientFreeStake.selector, alice, 10e18, 11e18));
        stakes.lock(alice, 11e18);
    }

    function test_lock_unbondingStake_reverts() public {
        _deposit(10e18);
        vm.prank(alice);
        stakes.requestWithdrawal(8e18);
        vm.prank(jm);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.InsufficientFreeStake.selector, alice, 2e18, 3e18));
        stakes.lock(alice, 3e18);
    }

    function test_unlock_movesLockedToFree() public {
        _deposit(10e18);
        _lock(6e18);
        vm.expectEmit(address(stakes));
        emit IStakeManager.Unlocked(alice, 2e18);
        vm.prank(jm);
        stakes.unlock(alice, 2e18);
        _assertStake(6e18, 4e18, 0);
    }

    function test_unlock_notJobManager_reverts() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.NotJobManager.selector, alice));
        stakes.unlock(alice, 0);
    }

    function test_unlock_moreThanLocked_reverts() public {
        _deposit(10e18);
        _lock(6e18);
        vm.prank(jm);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.InsufficientLockedStake.selector, alice, 6e18, 7e18));
        stakes.unlock(alice, 7e18);
    }

    function testFuzz_lockUnlock_conserveStake(uint256 dep, uint256 l, uint256 u) public {
        dep = bound(dep, 1, 500_000e18);
        l = bound(l, 0, dep);
        u = bound(u, 0, l);
        _deposit(dep);
        _lock(l);
        vm.prank(jm);
        stakes.unlock(alice, u);
        _assertStake(dep - l + u, l - u, 0);
        assertEq(stakes.totalStaked(), dep);
    }

    // ------------------------------------------------------------ slash

    function test_slash_paysTheReceiverFromLocked_inOneTransfer() public {
        _deposit(10e18);
        _lock(6e18);
        vm.prank(alice);
        stakes.requestWithdrawal(1e18);
        vm.expectEmit(address(stakes));
        emit IStakeManager.Slashed(alice, 5e18, bob);
        vm.prank(slasher);
        stakes.slash(alice, 5e18, bob);
        _assertStake(3e18, 1e18, 1e18);
        assertEq(token.balanceOf(bob), 5e18);
        assertEq(stakes.totalStaked(), 5e18);
        assertEq(token.balanceOf(address(stakes)), 5e18);
    }

    function test_slash_notSlasher_reverts() public {
        vm.prank(jm);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.NotSlasher.selector, jm));
        stakes.slash(alice, 0, bob);
    }

    function test_slash_zeroReceiver_reverts() public {
        _deposit(10e18);
        _lock(6e18);
        vm.prank(slasher);
        vm.expectRevert(IStakeManager.ZeroAddress.selector);
        stakes.slash(alice, 6e18, address(0));
    }

    function test_slash_moreThanLocked_reverts() public {
        _deposit(10e18);
        _lock(6e18);
        vm.prank(slasher);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.InsufficientLockedStake.selector, alice, 6e18, 7e18));
        stakes.slash(alice, 7e18, bob);
    }

    function test_slash_zero_movesNothing() public {
        _deposit(10e18);
        _lock(6e18);
        vm.prank(slasher);
        stakes.slash(alice, 0, bob);
        _assertStake(4e18, 6e18, 0);
        assertEq(token.balanceOf(bob), 0);
    }

    function testFuzz_slash_neverTouchesFreeOrUnbonding(uint256 dep, uint256 l, uint256 s) public {
        dep = bound(dep, 2, 500_000e18);
        l = bound(l, 1, dep - 1);
        s = bound(s, 0, l);
        _deposit(dep);
        _lock(l);
        vm.prank(alice);
        stakes.requestWithdrawal(dep - l);
        vm.prank(slasher);
        stakes.slash(alice, s, carol);
        _assertStake(0, l - s, dep - l);
        assertEq(token.balanceOf(carol), s);
        assertEq(stakes.totalStaked(), dep - s);
        assertEq(token.balanceOf(address(stakes)), stakes.totalStaked());
    }

    function testFuzz_slash_aboveLocked_reverts(uint256 l, uint256 s) public {
        l = bound(l, 0, 10e18);
        s = bound(s, l + 1, type(uint128).max);
        _deposit(10e18);
        _lock(l);
        vm.prank(slasher);
        vm.expectRevert(abi.encodeWithSelector(IStakeManager.InsufficientLockedStake.selector, alice, l, s));
        stakes.slash(alice, s, bob);
    }
}
