// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {DisputeGame} from "../../../contracts/DisputeGame.sol";
import {JobManager} from "../../../contracts/JobManager.sol";
import {ChallengeId, IDisputeGame} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {JobId, JobStatus, ModelId, Timestamp} from "../../../contracts/libraries/Types.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {DisputeData, DisputeProofs, Trees} from "./DisputeData.sol";

/// @notice The actors of the dispute invariant test, as one handler: a provider committing
///         honest or faulty runs and answering its disputes, two honest challengers, a
///         griefer playing at random, and a clock. Ghost counters record anything that
///         must never happen (a move accepted after its deadline, an early timeout, an
///         honest challenger's move refused, a job status moving backwards).
contract DisputeHandler is CommonBase, StdUtils {
    TestToken internal immutable token;
    JobManager internal immutable jobs;
    DisputeGame internal immutable game;
    ModelId internal immutable model;
    address internal immutable provider;
    address internal immutable requester;

    /// @dev Challengers 0 and 1 play honestly; 2 is the griefer.
    address[3] internal challengers;

    struct JobInfo {
        uint256 seed;
        DisputeData.Fault fault;
    }

    JobId[] public jobIds;
    mapping(JobId jobId => JobInfo) internal info;

    ChallengeId[] internal pending;
    mapping(ChallengeId id => uint256 actor) internal actorOf;
    mapping(ChallengeId id => JobId jobId) internal pendingJob;
    ChallengeId[] internal revealed;

    // ghost state
    uint256 public lateAccepted;
    uint256 public earlyTimeouts;
    uint256 public honestRefused;
    uint256 public backwards;
    uint256 public finalizations;
    uint256 public slashes;
    uint256 public movesPlayed;
    mapping(JobId jobId => JobStatus) internal lastSeen;

    constructor(
        TestToken token_,
        JobManager jobs_,
        DisputeGame game_,
        ModelId model_,
        address provider_,
        address requester_,
        address[3] memory challengers_
    ) {
        token = token_;
        jobs = jobs_;
        game = game_;
        model = model_;
        provider = provider_;
        requester = requester_;
        challengers = challengers_;
    }

    modifier observe() {
        _;
        _scan();
    }

    // ------------------------------------------------------------------ actions

    /// @notice The provider commits a new job: honest about half of the time.
    function newJob(uint256 seed, uint256 faultRaw) external observe {
        DisputeData.Fault f =
            faultRaw % 2 == 0 ? DisputeData.Fault.None : DisputeData.Fault(bound(faultRaw >> 1, 1, 7));
        DisputeData.Run memory r = DisputeData.run(seed, f);
        vm.prank(requester);
        JobId id = jobs.request(model, r.input, 1e18, Timestamp.wrap(uint64(block.timestamp) + 1 hours), false);
        vm.prank(provider);
        jobs.commit(id, r.outputRoot, r.output, r.traceRoot);
        jobIds.push(id);
        info[id] = JobInfo({seed: seed, fault: f});
    }

    function commitChallenge(uint256 jobSeed, uint256 actor) external observe {
        if (jobIds.length == 0) return;
        JobId id = jobIds[jobSeed % jobIds.length];
        IJobManager.Job memory j = jobs.jobOf(id);
        if (j.status != JobStatus.Committed) return;
        actor %= 3;
        address who = challengers[actor];
        bytes32 commitment = keccak256(abi.encode(JobId.unwrap(id), j.commitmentHash, who, _salt(actor)));
        vm.prank(who);
        ChallengeId c = game.commitChallenge(commitment);
        pending.push(c);
        actorOf[c] = actor;
        pendingJob[c] = id;
    }

    function revealChallenge(uint256 k) external observe {
        if (pending.length == 0) return;
        vm.roll(block.number + 1);
        uint256 i = k % pending.length;
        ChallengeId c = pending[i];
        pending[i] = pending[pending.length - 1];
        pending.pop();
        JobId id = pendingJob[c];
        uint256 actor = actorOf[c];
        bytes32 h = jobs.jobOf(id).commitmentHash;
        vm.prank(challengers[actor]);
        try game.revealChallenge(c, id, h, _salt(actor)) {
            revealed.push(c);
        } catch {}
    }

    /// @notice The provider answers one challenge from the run it committed, if still in time.
    function providerMove(uint256 k) external observe {
        (bool found, ChallengeId c, IDisputeGame.Challenge memory ch) = _pick(k, Actors.Any);
        if (!found || !_providerTurn(ch.phase) || block.timestamp > _deadline(c)) return;
        JobInfo memory ji = info[ch.jobId];
        DisputeData.Run memory r = DisputeData.run(ji.seed, ji.fault);
        vm.startPrank(provider);
        bool ok = true;
        if (ch.phase == IDisputeGame.Phase.AwaitRoots) {
            try game.postRoots(ch.jobId, r.roots) {} catch {
                ok = false;
            }
        } else if (ch.phase == IDisputeGame.Phase.AwaitWhole) {
            try
                game.revealWhole(c, DisputeData.outSpec(ch.nodeIndex), DisputeData.nodeWords(r, ch.nodeIndex))
            {} catch {
                ok = false;
            }
        } else {
            bytes32[] memory children = Trees.children(r.tree0, ch.anchorLevel, ch.anchorIndex);
            try game.revealChildren(c, DisputeData.outSpec(0), Trees.root(r.tree0), children) {} catch {
                ok = false;
            }
        }
        vm.stopPrank();
        // Only non-canonical data may be refused to a provider moving in time.
        if (!ok && ji.fault != DisputeData.Fault.JunkTail1) ++honestRefused;
        if (ok) ++movesPlayed;
    }

    /// @notice An honest challenger plays the first divergence, which must always be accepted.
    function honestMove(uint256 k) external observe {
        (bool found, ChallengeId c, IDisputeGame.Challenge memory ch) = _pick(k, Actors.Honest);
        if (!found || !_challengerTurn(ch.phase) || block.timestamp > _deadline(c)) return;
        JobInfo memory ji = info[ch.jobId];
        DisputeData.Run memory r = DisputeData.run(ji.seed, ji.fault);
        DisputeData.Run memory h = DisputeData.run(ji.seed, DisputeData.Fault.None);
        address who = challengers[actorOf[c]];
        bool ok = true;
        if (ch.phase == IDisputeGame.Phase.AwaitNode) {
            // The first node whose root differs; none on an honest run (an honest challenger lets it go).
            if (r.faultNode == DisputeData.NONE) return;
            ok = _select(c, who, r.faultNode, r);
        } else if (ch.phase == IDisputeGame.Phase.AwaitChoice) {
            bytes32[] memory mine = Trees.children(r.tree0, ch.anchorLevel, ch.anchorIndex);
            bytes32[] memory truth = Trees.children(h.tree0, ch.anchorLevel, ch.anchorIndex);
            uint256 j;
            while (j < mine.length && mine[j] == truth[j]) ++j;
            if (j == mine.length) return;
            vm.prank(who);
            try game.chooseChild(c, mine, j) {} catch {
                ok = false;
            }
        } else {
            uint256 e;
            if (ch.nodeIndex == 0) {
                e = ch.anchorIndex * 32;
                while (e < DisputeData.L && _byte0(r, e) == _byte0(h, e)) ++e;
                if (e >= DisputeData.L || e / 32 != ch.anchorIndex) return;
            }
            IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, h, ch.nodeIndex, e);
            vm.prank(who);
            try game.proveStep(c, p) {} catch {
                ok = false;
            }
        }
        if (!ok) ++honestRefused;
        else ++movesPlayed;
    }

    /// @notice The griefer plays random nodes, children and elements; refusals are fine.
    function grieferMove(uint256 k, uint256 choice) external observe {
        // Only its own challenges: a random move on an honest challenger's challenge would make
        // that challenger dishonest, and its later refusals would no longer say anything.
        (bool found, ChallengeId c, IDisputeGame.Challenge memory ch) = _pick(k, Actors.Griefer);
        if (!found || !_challengerTurn(ch.phase)) return;
        JobInfo memory ji = info[ch.jobId];
        DisputeData.Run memory r = DisputeData.run(ji.seed, ji.fault);
        address who = challengers[actorOf[c]];
        bool late = block.timestamp > _deadline(c);
        bool ok;
        if (ch.phase == IDisputeGame.Phase.AwaitNode) {
            ok = _select(c, who, choice % 3, r);
        } else if (ch.phase == IDisputeGame.Phase.AwaitChoice) {
            bytes32[] memory mine = Trees.children(r.tree0, ch.anchorLevel, ch.anchorIndex);
            vm.prank(who);
            try game.chooseChild(c, mine, choice % mine.length) {
                ok = true;
            } catch {}
        } else {
            uint256 e = ch.nodeIndex == 0 ? ch.anchorIndex * 32 + (choice % 32) : 0;
            if (e >= DisputeData.L) return;
            IDisputeGame.OneStepProof memory p = DisputeProofs.proof(
                r,
                DisputeData.run(ji.seed, DisputeData.Fault.None),
                ch.nodeIndex,
                e
            );
            vm.prank(who);
            try game.proveStep(c, p) {
                ok = true;
            } catch {}
        }
        if (ok && late) ++lateAccepted;
    }

    /// @notice Anyone claims a missed deadline; a timeout before it must be refused.
    function timeout(uint256 k) external observe {
        (bool found, ChallengeId c, ) = _pick(k, Actors.Any);
        if (!found) return;
        bool due = block.timestamp > _deadline(c);
        try game.timeout(c) {
            if (!due) ++earlyTimeouts;
        } catch {
            if (due) ++honestRefused;
        }
    }

    /// @notice Moves sent after their deadline by the right party must all be refused.
    function lateMove(uint256 k) external observe {
        (bool found, ChallengeId c, IDisputeGame.Challenge memory ch) = _pick(k, Actors.Any);
        if (!found || block.timestamp <= _deadline(c)) return;
        JobInfo memory ji = info[ch.jobId];
        DisputeData.Run memory r = DisputeData.run(ji.seed, ji.fault);
        bool ok;
        if (ch.phase == IDisputeGame.Phase.AwaitRoots) {
            vm.prank(provider);
            try game.postRoots(ch.jobId, r.roots) {
                ok = true;
            } catch {}
        } else if (ch.phase == IDisputeGame.Phase.AwaitWhole) {
            vm.prank(provider);
            try game.revealWhole(c, DisputeData.outSpec(ch.nodeIndex), DisputeData.nodeWords(r, ch.nodeIndex)) {
                ok = true;
            } catch {}
        } else if (ch.phase == IDisputeGame.Phase.AwaitNode) {
            ok = _select(c, challengers[actorOf[c]], 2, r);
        }
        if (ok) ++lateAccepted;
    }

    function settleOrFinalize(uint256 jobSeed) external observe {
        if (jobIds.length == 0) return;
        JobId id = jobIds[jobSeed % jobIds.length];
        try game.settle(id) {} catch {}
        try jobs.finalize(id) {} catch {}
    }

    function skipTime(uint256 secs) external observe {
        vm.warp(block.timestamp + bound(secs, 1, 20 minutes));
        vm.roll(block.number + 1);
    }

    // ------------------------------------------------------------------ views for the invariants

    function jobCount() external view returns (uint256) {
        return jobIds.length;
    }

    // ------------------------------------------------------------------ internals

    function _salt(uint256 actor) internal pure returns (bytes32) {
        return keccak256(abi.encode("invariant salt", actor));
    }

    /// @dev A revealed challenge that is still open, starting from index `k`.
    /// @dev Whose challenges an action may pick.
    enum Actors {
        Any,
        Honest,
        Griefer
    }

    /// @dev An open challenge, from position k on, of the given actors.
    function _pick(uint256 k, Actors who) internal view returns (bool, ChallengeId, IDisputeGame.Challenge memory ch) {
        uint256 n = revealed.length;
        for (uint256 t; t < n; ++t) {
            ChallengeId c = revealed[(k + t) % n];
            if (who == Actors.Honest && actorOf[c] == 2) continue;
            if (who == Actors.Griefer && actorOf[c] != 2) continue;
            ch = game.challengeOf(c);
            if (ch.phase >= IDisputeGame.Phase.AwaitRoots && ch.phase < IDisputeGame.Phase.Resolved)
                return (true, c, ch);
        }
        return (false, ChallengeId.wrap(0), ch);
    }

    function _deadline(ChallengeId c) internal view returns (uint256) {
        return Timestamp.unwrap(game.deadlineOf(c));
    }

    function _providerTurn(IDisputeGame.Phase p) internal pure returns (bool) {
        return
            p == IDisputeGame.Phase.AwaitRoots ||
            p == IDisputeGame.Phase.AwaitWhole ||
            p == IDisputeGame.Phase.AwaitChildren;
    }

    function _challengerTurn(IDisputeGame.Phase p) internal pure returns (bool) {
        return
            p == IDisputeGame.Phase.AwaitNode ||
            p == IDisputeGame.Phase.AwaitChoice ||
            p == IDisputeGame.Phase.AwaitProof;
    }

    function _select(ChallengeId c, address who, uint256 i, DisputeData.Run memory r) internal returns (bool ok) {
        vm.prank(who);
        try game.selectNode(c, uint32(i), DisputeData.node(i), DisputeData.descriptorProof(i), r.roots) {
            ok = true;
        } catch {}
    }

    /// @dev Byte `e` of node 0's data in run `r`.
    function _byte0(DisputeData.Run memory r, uint256 e) internal pure returns (bytes1) {
        return r.tree0[0][e / 32][e % 32];
    }

    function _scan() internal {
        uint256 n = jobIds.length;
        for (uint256 i; i < n; ++i) {
            JobId id = jobIds[i];
            JobStatus s = jobs.jobOf(id).status;
            JobStatus prev = lastSeen[id];
            if (s == prev) continue;
            if (prev == JobStatus.Finalized || prev == JobStatus.Slashed) ++backwards;
            if (s == JobStatus.Finalized) ++finalizations;
            if (s == JobStatus.Slashed) ++slashes;
            lastSeen[id] = s;
        }
    }
}
