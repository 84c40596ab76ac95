// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {JobManager} from "../../../contracts/JobManager.sol";
import {ModelRegistry} from "../../../contracts/ModelRegistry.sol";
import {StakeManager} from "../../../contracts/StakeManager.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {
    Duration,
    JobId,
    JobStatus,
    ModelId,
    ModelParams,
    ModelSpec,
    TensorSpec
} from "../../../contracts/libraries/Types.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {BlocklistToken} from "../utils/BlocklistToken.sol";
import {DisputeGameActor, GrieferActor, Ledger, ProviderActor, RequesterActor} from "./Actors.sol";

/// @notice Providers, requesters (one of which the token blocks from receiving anything), a
///         griefer and a stand-in dispute game act in random order; after every sequence the
///         protocol's books must balance, every job's history must be a legal one, and no
///         slash was ever refused (it pays the dispute game alone, never the requester).
/// @dev The actors live in Actors.sol, which Hardhat must treat as a test root to know
///      their artifacts: run this file alone with both paths,
///      `npx hardhat test solidity test/solidity/invariant/Protocol.invariant.t.sol test/solidity/invariant/Actors.sol`.
contract ProtocolInvariantTest is Test {
    TestToken internal token;
    StakeManager internal stakes;
    ModelRegistry internal registry;
    JobManager internal jobs;
    Ledger internal ledger;
    ProviderActor internal providers;
    RequesterActor internal requesters;
    DisputeGameActor internal game;
    GrieferActor internal griefer;

    function setUp() public {
        vm.warp(1_700_000_000);
        token = new BlocklistToken();
        stakes = new StakeManager(
            token,
            Duration.wrap(1 days + 15 hours + 1),
            Duration.wrap(1 days),
            Duration.wrap(1 minutes),
            Duration.wrap(1 hours)
        );
        registry = new ModelRegistry(stakes);
        jobs = new JobManager(stakes, registry, 200_000);
        ledger = new Ledger();

        ModelId[] memory models = new ModelId[](2);
        models[0] = registry.register(_spec(3, 6, 1 hours, 100e18, 10e18, "a"));
        models[1] = registry.register(_spec(2, 7, 2 hours, 37e18, 3e18, "b"));

        providers = new ProviderActor(token, stakes, registry, jobs, ledger);
        requesters = new RequesterActor(token, stakes, registry, jobs, ledger, models);
        game = new DisputeGameActor(token, stakes, registry, jobs, ledger);
        griefer = new GrieferActor(token, stakes, registry, jobs, ledger, providers);
        stakes.initialize(address(jobs), address(jobs));
        jobs.initialize(address(game));

        bytes4[] memory sel = new bytes4[](5);
        (sel[0], sel[1], sel[2], sel[3], sel[4]) = (
            ProviderActor.deposit.selector,
            ProviderActor.requestWithdrawal.selector,
            ProviderActor.withdraw.selector,
            ProviderActor.commit.selector,
            ProviderActor.commitBatch.selector
        );
        _target(address(providers), sel);
        sel = new bytes4[](4);
        (sel[0], sel[1], sel[2], sel[3]) = (
            RequesterActor.request.selector,
            RequesterActor.expire.selector,
            RequesterActor.finalize.selector,
            RequesterActor.finalizeBatch.selector
        );
        _target(address(requesters), sel);
        sel = new bytes4[](4);
        (sel[0], sel[1], sel[2], sel[3]) = (
            DisputeGameActor.challenge.selector,
            DisputeGameActor.release.selector,
            DisputeGameActor.settleFraud.selector,
            DisputeGameActor.slashUnfrozen.selector
        );
        _target(address(game), sel);
        sel = new bytes4[](6);
        (sel[0], sel[1], sel[2], sel[3], sel[4], sel[5]) = (
            GrieferActor.skipTime.selector,
            GrieferActor.finalizeEarlyOrTwice.selector,
            GrieferActor.expireEarly.selector,
            GrieferActor.commitWrongOutput.selector,
            GrieferActor.withdrawLocked.selector,
            GrieferActor.callPrivileged.selector
        );
        _target(address(griefer), sel);
    }

    // ------------------------------------------------------------ invariants

    /// @notice Solvency: each contract holds exactly what it owes.
    function invariant_solvency() public view {
        (uint256 staked, uint256 escrow, ) = _books();
        assertEq(token.balanceOf(address(stakes)), stakes.totalStaked(), "StakeManager balance != totalStaked");
        assertEq(stakes.totalStaked(), staked, "totalStaked != sum of providers' stakes");
        assertEq(token.balanceOf(address(jobs)), escrow, "JobManager balance != escrowed fees");
        assertEq(
            token.balanceOf(address(game)),
            ledger.bondsHeld() + ledger.settledHeld(),
            "game balance != bonds held + slashed collateral and fees received"
        );
        assertEq(
            token.balanceOf(address(stakes)) + token.balanceOf(address(jobs)) + token.balanceOf(address(game)),
            staked + escrow + ledger.bondsHeld() + ledger.settledHeld(),
            "protocol balance != stakes + fees + bonds + settled"
        );
    }

    /// @notice Every job's status only ever moved forward, it resolved at most once, and
    ///         nothing that must fail succeeded.
    function invariant_statusOnlyMovesForward() public view {
        assertEq(ledger.violationCount(), 0, ledger.firstViolation());
        uint256 n = jobs.jobCount();
        uint256 finalized;
        uint256 slashed;
        uint256 expired;
        for (uint256 i = 1; i <= n; ++i) {
            JobStatus s = jobs.jobOf(JobId.wrap(i)).status;
            if (s == JobStatus.Finalized) ++finalized;
            if (s == JobStatus.Slashed) ++slashed;
            if (s == JobStatus.Expired) ++expired;
        }
        // Each transition into a final status was seen exactly once per job in that status.
        assertEq(ledger.finalizations(), finalized, "a job finalized twice");
        assertEq(ledger.slashes(), slashed, "a job slashed twice");
        assertEq(ledger.expiries(), expired, "a job expired twice");
    }

    /// @notice Locked stake is exactly the collateral of open jobs: nothing else can be
    ///         locked, and no open job's collateral has left.
    function invariant_lockedStakeIsOpenCollateral() public view {
        uint256 count = providers.providerCount();
        for (uint256 k; k < count; ++k) {
            address p = providers.providers(k);
            uint256 open;
            uint256 n = jobs.jobCount();
            for (uint256 i = 1; i <= n; ++i) {
                IJobManager.Job memory j = jobs.jobOf(JobId.wrap(i));
                if (j.status == JobStatus.Committed && j.provider == p) open += j.collateral;
            }
            (, uint256 locked, , ) = stakes.stakeOf(p);
            assertEq(locked, open, "locked != collateral of open jobs");
        }
    }

    /// @notice A slash takes exactly the slashed job's collateral, never more, and only
    ///         Slashed jobs lost any.
    function invariant_slashNeverExceedsCollateral() public view {
        uint256 n = jobs.jobCount();
        for (uint256 i = 1; i <= n; ++i) {
            JobId id = JobId.wrap(i);
            IJobManager.Job memory j = jobs.jobOf(id);
            uint256 taken = ledger.slashed(id);
            assertLe(taken, j.collateral, "slash above collateral");
            if (j.status == JobStatus.Slashed) assertEq(taken, j.collateral, "slashed job kept collateral");
            else assertEq(taken, 0, "unslashed job lost collateral");
        }
    }

    // ------------------------------------------------------------ helpers

    function _books() internal view returns (uint256 staked, uint256 escrow, uint256 jobsCount) {
        uint256 count = providers.providerCount();
        for (uint256 k; k < count; ++k) {
            (uint256 f, uint256 l, uint256 u, ) = stakes.stakeOf(providers.providers(k));
            staked += f + l + u;
        }
        jobsCount = jobs.jobCount();
        for (uint256 i = 1; i <= jobsCount; ++i) {
            IJobManager.Job memory j = jobs.jobOf(JobId.wrap(i));
            if (j.status == JobStatus.Requested || j.status == JobStatus.Committed) escrow += j.fee;
        }
    }

    function _spec(
        uint8 inDtype,
        uint8 outDtype,
        uint64 window,
        uint128 collateral,
        uint128 bond,
        string memory uri
    ) internal pure returns (ModelSpec memory s) {
        uint32[] memory inShape = new uint32[](2);
        (inShape[0], inShape[1]) = (2, 5);
        uint32[] memory outShape = new uint32[](1);
        outShape[0] = 3;
        s.fileHash = keccak256(bytes(uri));
        s.graphRoot = keccak256("graph");
        s.nodeCount = 2;
        s.profile = 1;
        s.input = TensorSpec({dtype: inDtype, layout: 0, shape: inShape});
        s.output = TensorSpec({dtype: outDtype, layout: 0, shape: outShape});
        s.uri = uri;
        s.params = ModelParams({
            challengeWindow: Duration.wrap(window),
            responseWindow: Duration.wrap(10 minutes),
            collateralPerJob: collateral,
            challengerBond: bond
        });
    }

    function _target(address addr, bytes4[] memory selectors) internal {
        targetContract(addr);
        targetSelector(FuzzSelector({addr: addr, selectors: selectors}));
    }
}
