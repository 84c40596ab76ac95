// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {JobManager} from "../../../contracts/JobManager.sol";
import {ModelRegistry} from "../../../contracts/ModelRegistry.sol";
import {StakeManager} from "../../../contracts/StakeManager.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {TensorCodec} from "../../../contracts/libraries/TensorCodec.sol";
import {JobId, JobStatus, ModelId, ModelParams, TensorSpec, Timestamp} from "../../../contracts/libraries/Types.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {BlocklistToken} from "../utils/BlocklistToken.sol";
import {GasBurningConsumer, RecordingConsumer} from "../utils/Consumers.sol";

/// @notice Ghost state shared by the actors: what the invariants compare the contracts against.
contract Ledger {
    mapping(JobId jobId => JobStatus) public lastSeen;
    mapping(JobId jobId => bool) public wasFrozen;
    mapping(JobId jobId => uint256) public slashed;
    mapping(JobId jobId => address) public challengerOf;
    mapping(JobId jobId => uint256) public bondOf;
    uint256 public bondsHeld;
    /// @dev Collateral and fees of slashed jobs, received by the stand-in dispute game.
    uint256 public settledHeld;
    uint256 public finalizations;
    uint256 public slashes;
    uint256 public expiries;
    string[] public violations;

    function setSeen(JobId id, JobStatus s, bool frozen) external {
        lastSeen[id] = s;
        wasFrozen[id] = frozen;
    }

    function addBond(JobId id, address challenger, uint256 bond) external {
        challengerOf[id] = challenger;
        bondOf[id] = bond;
        bondsHeld += bond;
    }

    function clearBond(JobId id) external {
        bondsHeld -= bondOf[id];
        bondOf[id] = 0;
        challengerOf[id] = address(0);
    }

    function addSlash(JobId id, uint256 amount) external {
        slashed[id] += amount;
    }

    function addSettled(uint256 amount) external {
        settledHeld += amount;
    }

    function countTransition(JobStatus to) external {
        if (to == JobStatus.Finalized) ++finalizations;
        else if (to == JobStatus.Slashed) ++slashes;
        else if (to == JobStatus.Expired) ++expiries;
    }

    function flag(string calldata why) external {
        violations.push(why);
    }

    function violationCount() external view returns (uint256) {
        return violations.length;
    }

    function firstViolation() external view returns (string memory) {
        return violations.length == 0 ? "" : violations[0];
    }
}

/// @notice What every actor shares: the deployment, the ghost ledger and, after every
///         action, a scan of all jobs that flags any status moving backwards.
abstract contract Actor is CommonBase, StdUtils {
    TestToken internal immutable token;
    StakeManager internal immutable stakes;
    ModelRegistry internal immutable registry;
    JobManager internal immutable jobs;
    Ledger internal immutable ledger;

    constructor(TestToken token_, StakeManager stakes_, ModelRegistry registry_, JobManager jobs_, Ledger ledger_) {
        token = token_;
        stakes = stakes_;
        registry = registry_;
        jobs = jobs_;
        ledger = ledger_;
    }

    modifier observe() {
        _;
        _scan();
    }

    function _scan() internal {
        uint256 n = jobs.jobCount();
        for (uint256 i = 1; i <= n; ++i) {
            JobId id = JobId.wrap(i);
            IJobManager.Job memory j = jobs.jobOf(id);
            JobStatus prev = ledger.lastSeen(id);
            if (j.frozen && j.status != JobStatus.Committed) ledger.flag("frozen outside Committed");
            if (j.status != prev) {
                if (!_reachable(prev, j.status)) ledger.flag("status moved backwards or sideways");
                _checkTiming(id, j);
                ledger.countTransition(j.status);
            }
            ledger.setSeen(id, j.status, j.frozen);
        }
    }

    /// @dev Each action is one operation, so a job seen frozen before it cannot have been
    ///      released and finalized by it.
    function _checkTiming(JobId id, IJobManager.Job memory j) internal {
        if (j.status == JobStatus.Committed && j.commitDeadline.isPast()) ledger.flag("committed after its deadline");
        if (j.status == JobStatus.Expired && !j.commitDeadline.isPast()) ledger.flag("expired before its deadline");
        if (j.status == JobStatus.Finalized) {
            if (!j.windowEnd.isReached()) ledger.flag("finalized inside its window");
            if (ledger.wasFrozen(id)) ledger.flag("finalized while frozen");
        }
        if (j.status == JobStatus.Slashed && !ledger.wasFrozen(id)) ledger.flag("slashed without a dispute");
    }

    function _reachable(JobStatus from, JobStatus to) internal pure returns (bool) {
        if (from == JobStatus.None) return to != JobStatus.None;
        if (from == JobStatus.Requested) return to != JobStatus.None;
        if (from == JobStatus.Committed) return to == JobStatus.Finalized || to == JobStatus.Slashed;
        return false;
    }

    function _pickJob(uint256 seed) internal view returns (bool found, JobId id, IJobManager.Job memory j) {
        uint256 n = jobs.jobCount();
        if (n == 0) return (false, id, j);
        id = JobId.wrap(1 + (seed % n));
        j = jobs.jobOf(id);
        found = true;
    }

    /// @dev First job at or after `seed` (cyclically) with the wanted status, so actions
    ///      mostly hit jobs they can act on.
    function _findJob(uint256 seed, JobStatus want) internal view returns (bool, JobId, IJobManager.Job memory) {
        uint256 n = jobs.jobCount();
        IJobManager.Job memory j;
        for (uint256 k; k < n; ++k) {
            JobId id = JobId.wrap(1 + ((seed + k) % n));
            j = jobs.jobOf(id);
            if (j.status == want) return (true, id, j);
        }
        return (false, JobId.wrap(0), j);
    }

    function _free(address who) internal view returns (uint256 free) {
        (free, , , ) = stakes.stakeOf(who);
    }
}

/// @notice Staked providers: deposit, unbond, withdraw, commit (single and batch).
contract ProviderActor is Actor {
    address[] public providers;

    constructor(TestToken t, StakeManager s, ModelRegistry r, JobManager j, Ledger l) Actor(t, s, r, j, l) {
        for (uint256 i; i < 3; ++i) {
            address p = address(uint160(uint256(keccak256(abi.encode("provider", i)))));
            providers.push(p);
            vm.prank(p);
            t.approve(address(s), type(uint256).max);
        }
    }

    function providerCount() external view returns (uint256) {
        return providers.length;
    }

    function _provider(uint256 seed) internal view returns (address) {
        return providers[seed % providers.length];
    }

    function _ensureFree(address p, uint256 amount) internal {
        uint256 free = _free(p);
        if (free >= amount) return;
        token.mint(p, amount - free);
        vm.prank(p);
        stakes.deposit(amount - free);
    }

    function deposit(uint256 seed, uint256 amount) external observe {
        address p = _provider(seed);
        amount = bound(amount, 1, 1_000e18);
        token.mint(p, amount);
        vm.prank(p);
        stakes.deposit(amount);
    }

    function requestWithdrawal(uint256 seed, uint256 amount) external observe {
        address p = _provider(seed);
        uint256 free = _free(p);
        if (free == 0) return;
        amount = bound(amount, 1, free);
        vm.prank(p);
        stakes.requestWithdrawal(amount);
    }

    function withdraw(uint256 seed) external observe {
        address p = _provider(seed);
        (, , uint256 unbonding, Timestamp readyAt) = stakes.stakeOf(p);
        if (unbonding == 0 || block.timestamp < readyAt.raw()) return;
        vm.prank(p);
        stakes.withdraw();
    }

    function commit(uint256 seed, uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _findJob(jobSeed, JobStatus.Requested);
        if (!found || j.commitDeadline.isPast()) return;
        address p = _provider(seed);
        _ensureFree(p, j.collateral);
        (bytes memory output, bytes32 root) = _output(j.modelId, seed);
        vm.prank(p);
        jobs.commit(id, root, output);
    }

    function commitBatch(uint256 seed, uint256 jobSeed, uint256 count) external observe {
        (IJobManager.Commit[] memory c, uint256 collateral) = _commits(seed, jobSeed, bound(count, 1, 8));
        if (c.length == 0) return;
        address p = _provider(seed);
        _ensureFree(p, collateral);
        vm.prank(p);
        jobs.commitBatch(c);
    }

    /// @dev Up to `count` committable jobs from `jobSeed` on, and the collateral they lock.
    function _commits(
        uint256 seed,
        uint256 jobSeed,
        uint256 count
    ) internal view returns (IJobManager.Commit[] memory c, uint256 collateral) {
        c = new IJobManager.Commit[](count);
        uint256 k;
        uint256 n = jobs.jobCount();
        for (uint256 i; i < n && k < count; ++i) {
            JobId id = JobId.wrap(1 + ((jobSeed + i) % n));
            IJobManager.Job memory j = jobs.jobOf(id);
            if (j.status != JobStatus.Requested || j.commitDeadline.isPast()) continue;
            (bytes memory output, bytes32 root) = _output(j.modelId, seed + i);
            c[k++] = IJobManager.Commit({jobId: id, outputRoot: root, output: output});
            collateral += j.collateral;
        }
        assembly {
            mstore(c, k)
        }
    }

    function _output(ModelId model, uint256 seed) internal view returns (bytes memory out, bytes32 root) {
        (TensorSpec memory spec, ) = registry.outputSpec(model);
        uint256 len = TensorCodec.elementCount(spec) * TensorCodec.width(spec.dtype);
        out = new bytes(len);
        for (uint256 i; i < len; ++i) {
            out[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i)))));
        }
        root = TensorCodec.rootOfPacked(spec, out);
    }
}

/// @notice Requesters (two plain accounts and two consumer contracts, one of them hostile):
///         request, expire, finalize.
contract RequesterActor is Actor {
    address[] public requesters;
    ModelId[] internal models;

    constructor(
        TestToken t,
        StakeManager s,
        ModelRegistry r,
        JobManager j,
        Ledger l,
        ModelId[] memory models_
    ) Actor(t, s, r, j, l) {
        models = models_;
        requesters.push(address(uint160(uint256(keccak256("requester 0")))));
        requesters.push(address(uint160(uint256(keccak256("requester 1")))));
        requesters.push(address(new RecordingConsumer(j)));
        requesters.push(address(new GasBurningConsumer(j)));
        requesters.push(BLOCKED_REQUESTER);
        for (uint256 i; i < requesters.length; ++i) {
            vm.prank(requesters[i]);
            t.approve(address(j), type(uint256).max);
        }
    }

    /// @notice A requester the token blocks as soon as its fee is escrowed (it can pay but never
    ///         receive): no slash of its jobs may depend on paying it.
    address public constant BLOCKED_REQUESTER = address(0xB10C);

    function requesterCount() external view returns (uint256) {
        return requesters.length;
    }

    /// @notice Requests one to three jobs, so the fuzzer spends its depth on them.
    function request(uint256 seed, uint256 fee, uint256 deadline, bool callback, bool byRoot) external observe {
        uint256 count = 1 + ((seed >> 16) % 3);
        for (uint256 i; i < count; ++i) {
            _request(uint256(keccak256(abi.encode(seed, i))), fee, deadline, callback, byRoot);
        }
    }

    function _request(uint256 seed, uint256 fee, uint256 deadline, bool callback, bool byRoot) internal {
        address who = requesters[seed % requesters.length];
        ModelId model = models[(seed >> 8) % models.length];
        fee = bound(fee, 0, 100e18);
        deadline = bound(deadline, 1, 3 hours);
        BlocklistToken blocklist = BlocklistToken(address(token));
        if (who == BLOCKED_REQUESTER) blocklist.setBlocked(who, false);
        token.mint(who, fee);
        Timestamp d = Timestamp.wrap(uint64(block.timestamp + deadline));
        vm.prank(who);
        if (byRoot) {
            jobs.requestWithRoot(model, keccak256(abi.encode(seed)), "ipfs://input", fee, d, callback);
        } else {
            (TensorSpec memory spec, ) = registry.inputSpec(model);
            bytes memory input = new bytes(TensorCodec.elementCount(spec) * TensorCodec.width(spec.dtype));
            input[0] = bytes1(uint8(seed));
            jobs.request(model, input, fee, d, callback);
        }
        if (who == BLOCKED_REQUESTER) blocklist.setBlocked(who, true);
    }

    function expire(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _findJob(jobSeed, JobStatus.Requested);
        if (!found || !j.commitDeadline.isPast()) return;
        jobs.expire(id);
    }

    function finalize(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _findJob(jobSeed, JobStatus.Committed);
        if (!found || j.frozen || !j.windowEnd.isReached()) return;
        jobs.finalize(id);
    }

    /// @notice Finalizes a run of consecutive jobs, whatever their state: the batch must
    ///         pick out the finalizable ones.
    function finalizeBatch(uint256 jobSeed, uint256 count) external observe {
        uint256 n = jobs.jobCount();
        if (n == 0) return;
        count = bound(count, 1, 12);
        JobId[] memory ids = new JobId[](count);
        for (uint256 i; i < count; ++i) {
            ids[i] = JobId.wrap(1 + ((jobSeed + i) % n));
        }
        jobs.finalizeBatch(ids);
    }
}

/// @notice Stands in for the dispute game: holds challenger bonds, freezes jobs, and
///         resolves disputes either way, splitting the collateral on fraud.
contract DisputeGameActor is Actor {
    address public constant TREASURY = address(0x7EA5);
    uint256 internal nonce;

    constructor(TestToken t, StakeManager s, ModelRegistry r, JobManager j, Ledger l) Actor(t, s, r, j, l) {}

    function challenge(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _findJob(jobSeed, JobStatus.Committed);
        if (!found || j.frozen || j.windowEnd.isReached()) return;
        address challenger = address(uint160(uint256(keccak256(abi.encode("challenger", ++nonce)))));
        uint256 bond = registry.params(j.modelId).challengerBond;
        token.mint(challenger, bond);
        vm.prank(challenger);
        token.transfer(address(this), bond);
        ledger.addBond(id, challenger, bond);
        jobs.freeze(id);
    }

    function release(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _findFrozen(jobSeed);
        if (!found) return;
        // The challenge failed: its bond goes to the provider.
        token.transfer(j.provider, ledger.bondOf(id));
        ledger.clearBond(id);
        jobs.release(id);
    }

    /// @notice A proven fault: the job's collateral and fee come to the game, whoever the
    ///         requester is (a blocked one included) — a slash that reverts is a violation.
    function settleFraud(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _findFrozen(jobSeed);
        if (!found) return;
        address challenger = ledger.challengerOf(id);
        token.transfer(challenger, ledger.bondOf(id));
        ledger.clearBond(id);
        uint256 before = stakes.totalStaked();
        uint256 balance = token.balanceOf(address(this));
        try jobs.settleFraud(id) returns (address requester, uint256 collateral, uint256 fee) {
            if (requester != j.requester || collateral != j.collateral || fee != j.fee) {
                ledger.flag("settleFraud reported another job's amounts");
            }
            if (token.balanceOf(address(this)) != balance + collateral + fee) {
                ledger.flag("settleFraud did not send collateral and fee to the game");
            }
            ledger.addSettled(collateral + fee);
        } catch {
            ledger.flag("a slash was refused");
            return;
        }
        ledger.addSlash(id, before - stakes.totalStaked());
    }

    /// @notice A buggy game slashing a job that is not under dispute must be refused.
    function slashUnfrozen(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _findJob(jobSeed, JobStatus.Committed);
        if (!found || j.frozen) return;
        try jobs.settleFraud(id) {
            ledger.flag("slash of a job not under dispute accepted");
        } catch {}
    }

    function _findFrozen(uint256 seed) internal view returns (bool, JobId, IJobManager.Job memory) {
        uint256 n = jobs.jobCount();
        IJobManager.Job memory j;
        for (uint256 k; k < n; ++k) {
            JobId id = JobId.wrap(1 + ((seed + k) % n));
            j = jobs.jobOf(id);
            if (j.status == JobStatus.Committed && j.frozen) return (true, id, j);
        }
        return (false, JobId.wrap(0), j);
    }
}

/// @notice Tries everything that must fail, and moves time. Any success is a violation.
contract GrieferActor is Actor {
    ProviderActor internal immutable providerActor;
    address internal constant GRIEFER = address(0xBAD);

    constructor(
        TestToken t,
        StakeManager s,
        ModelRegistry r,
        JobManager j,
        Ledger l,
        ProviderActor p
    ) Actor(t, s, r, j, l) {
        providerActor = p;
    }

    function skipTime(uint256 secs) external observe {
        vm.warp(block.timestamp + bound(secs, 0, 3 hours));
    }

    function finalizeEarlyOrTwice(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _pickJob(jobSeed);
        if (!found) return;
        bool allowed = j.status == JobStatus.Committed && !j.frozen && j.windowEnd.isReached();
        if (allowed) return;
        try jobs.finalize(id) {
            ledger.flag("finalize accepted for a job that was not finalizable");
        } catch {}
    }

    function expireEarly(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _pickJob(jobSeed);
        if (!found) return;
        if (j.status == JobStatus.Requested && j.commitDeadline.isPast()) return;
        try jobs.expire(id) {
            ledger.flag("expire accepted for a job that was not expirable");
        } catch {}
    }

    function commitWrongOutput(uint256 jobSeed) external observe {
        (bool found, JobId id, IJobManager.Job memory j) = _pickJob(jobSeed);
        if (!found) return;
        (TensorSpec memory spec, ) = registry.outputSpec(j.modelId);
        bytes memory output = new bytes(TensorCodec.elementCount(spec) * TensorCodec.width(spec.dtype));
        address p = providerActor.providers(jobSeed % 3);
        vm.prank(p);
        try jobs.commit(id, keccak256("not the root"), output) {
            ledger.flag("commit accepted with a wrong output root");
        } catch {}
    }

    function withdrawLocked(uint256 seed) external observe {
        address p = providerActor.providers(seed % 3);
        (uint256 free, uint256 locked, , ) = stakes.stakeOf(p);
        if (locked == 0) return;
        vm.prank(p);
        try stakes.requestWithdrawal(free + 1 + (seed % locked)) {
            ledger.flag("locked stake entered unbonding");
        } catch {}
        (, , uint256 unbonding, Timestamp readyAt) = stakes.stakeOf(p);
        if (unbonding != 0 && block.timestamp >= readyAt.raw()) return;
        vm.prank(p);
        try stakes.withdraw() {
            ledger.flag("withdraw before the unbonding delay");
        } catch {}
    }

    function callPrivileged(uint256 seed, uint256 amount) external observe {
        address p = providerActor.providers(seed % 3);
        vm.startPrank(GRIEFER);
        try stakes.lock(p, amount) {
            ledger.flag("lock by a stranger");
        } catch {}
        try stakes.unlock(p, amount) {
            ledger.flag("unlock by a stranger");
        } catch {}
        try stakes.slash(p, amount, GRIEFER) {
            ledger.flag("slash by a stranger");
        } catch {}
        (bool found, JobId id, ) = _pickJob(seed);
        if (found) {
            try jobs.freeze(id) {
                ledger.flag("freeze by a stranger");
            } catch {}
            try jobs.release(id) {
                ledger.flag("release by a stranger");
            } catch {}
            try jobs.settleFraud(id) {
                ledger.flag("settleFraud by a stranger");
            } catch {}
        }
        vm.stopPrank();
    }
}
