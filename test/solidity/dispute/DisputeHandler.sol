// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {DisputeGame} from "../../../contracts/DisputeGame.sol";
import {JobManager} from "../../../contracts/JobManager.sol";
import {ChallengeId, IDisputeGame} from "../../../contracts/interfaces/IDisputeGame.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {JobId, JobStatus, ModelId, Timestamp} from "../../../contracts/libraries/Types.sol";
import {BlocklistToken} from "../utils/BlocklistToken.sol";
import {DisputeData, DisputeProofs, Trees} from "./DisputeData.sol";

/// @notice A contract that fills a job with challenges of its own and swaps one for the next
///         in a single transaction (`timeout(old)` then `revealChallenge(new)`), so the job's
///         open count never drops: the slot filler of docs/PROTOCOL.md §9.4.
contract SlotFiller {
    DisputeGame internal immutable game;

    constructor(DisputeGame game_, BlocklistToken token_) {
        game = game_;
        token_.approve(address(game_), type(uint256).max);
    }

    function commit(ModelId modelId, bytes32 commitment) external returns (ChallengeId) {
        return game.commitChallenge(modelId, commitment);
    }

    function reveal(ChallengeId id, JobId jobId, bytes32 commitmentHash, bytes32 salt) external {
        game.revealChallenge(id, jobId, commitmentHash, salt);
    }

    function cycle(ChallengeId old, ChallengeId next, JobId jobId, bytes32 commitmentHash, bytes32 salt) external {
        game.timeout(old);
        game.revealChallenge(next, jobId, commitmentHash, salt);
    }

    function withdraw() external {
        game.withdraw();
    }
}

/// @notice The actors of the dispute invariant test, as one handler: a provider committing
///         honest or faulty runs and answering its disputes, two honest challengers, a
///         griefer playing at random, a blind pre-committer (commits on every new job
///         without re-executing, reveals only to copy an honest reveal, then copies the
///         honest moves), a slot filler contract, recipients the token blocks and unblocks,
///         and a clock. Ghost counters record anything that must never happen (a move
///         accepted after its deadline, an early timeout, an honest challenger's move or
///         reveal refused, a moot, forfeit or reclaim against the rules, a job status moving
///         backwards).
contract DisputeHandler is CommonBase, StdUtils {
    BlocklistToken internal immutable token;
    JobManager internal immutable jobs;
    DisputeGame internal immutable game;
    ModelId internal immutable model;
    address internal immutable provider;
    address internal immutable requester;

    /// @dev Challengers 0 and 1 play honestly; 2 is the griefer; 3 the blind pre-committer;
    ///      4 the slot filler contract.
    address[5] internal challengers;
    SlotFiller public immutable filler;
    uint256 internal constant HONEST_A = 0;
    uint256 internal constant GRIEFER = 2;
    uint256 internal constant PRE_COMMITTER = 3;
    uint256 internal constant SLOT_FILLER = 4;

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
    /// @dev Every commitment made, revealed or not (forfeit and reclaim pick from here).
    ChallengeId[] internal committed;
    /// @dev The pre-committer's commitments not yet revealed (kept apart from `pending`, so the
    ///      older actions pick what they always picked and recorded sequences replay alike).
    ChallengeId[] internal preCommits;

    // ghost state
    uint256 public lateAccepted;
    uint256 public earlyTimeouts;
    uint256 public honestRefused;
    uint256 public backwards;
    uint256 public finalizations;
    uint256 public slashes;
    uint256 public movesPlayed;
    /// @dev A moot, forfeit or reclaim accepted against the rules, or refused when due.
    uint256 public ruleBroken;
    uint256 public honestReveals;
    uint256 public copiedReveals;
    uint256 public cycles;
    uint256 public forfeits;
    uint256 public reclaims;
    uint256 public moots;
    mapping(JobId jobId => JobStatus) internal lastSeen;

    constructor(
        BlocklistToken token_,
        JobManager jobs_,
        DisputeGame game_,
        ModelId model_,
        address provider_,
        address requester_,
        address[4] memory challengers_
    ) {
        token = token_;
        jobs = jobs_;
        game = game_;
        model = model_;
        provider = provider_;
        requester = requester_;
        for (uint256 i; i < 4; ++i) challengers[i] = challengers_[i];
        filler = new SlotFiller(game_, token_);
        token_.mint(address(filler), 1_000_000e18);
        challengers[SLOT_FILLER] = address(filler);
    }

    /// @notice Everyone who can hold a claimable balance (for the conservation invariant).
    function accounts() external view returns (address[] memory a) {
        a = new address[](8);
        for (uint256 i; i < 5; ++i) a[i] = challengers[i];
        (a[5], a[6], a[7]) = (provider, requester, game.treasury());
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
        jobs.commit(id, r.outputRoot, r.output);
        jobIds.push(id);
        info[id] = JobInfo({seed: seed, fault: f});
        // The blind pre-committer commits on every job as soon as it is committed.
        _commitAs(id, PRE_COMMITTER);
    }

    /// @notice An honest challenger or the griefer commits on a job.
    function commitChallenge(uint256 jobSeed, uint256 actor) external observe {
        if (jobIds.length == 0) return;
        JobId id = jobIds[jobSeed % jobIds.length];
        if (jobs.jobOf(id).status != JobStatus.Committed) return;
        _commitAs(id, actor % 3);
    }

    /// @notice The slot filler commits a few challenges on a job.
    function slotFillerCommit(uint256 jobSeed, uint256 count) external observe {
        if (jobIds.length == 0) return;
        JobId id = jobIds[jobSeed % jobIds.length];
        if (jobs.jobOf(id).status != JobStatus.Committed) return;
        count = bound(count, 1, 4);
        for (uint256 i; i < count; ++i) _commitAs(id, SLOT_FILLER);
    }

    function revealChallenge(uint256 k) external observe {
        if (pending.length == 0) return;
        vm.roll(block.number + 1);
        uint256 i = k % pending.length;
        ChallengeId c = pending[i];
        pending[i] = pending[pending.length - 1];
        pending.pop();
        uint256 actor = actorOf[c];
        JobId id = pendingJob[c];
        bool due = _revealDue(c, id);
        if (_reveal(c, id, actor)) {
            revealed.push(c);
            if (actor < 2) ++honestReveals;
        } else if (due && actor < 2) {
            // INVARIANT: an honest reveal in time is never refused (no cap on challenges).
            ++honestRefused;
        }
    }

    /// @notice The pre-committer reveals a pre-commitment only to copy: when an honest challenge
    ///         of its job is open (it saw the honest reveal).
    function preCommitterReveal(uint256 k) external observe {
        uint256 n = preCommits.length;
        for (uint256 t; t < n; ++t) {
            uint256 i = (k + t) % n;
            ChallengeId c = preCommits[i];
            JobId id = pendingJob[c];
            if (!_honestOpen(id)) continue;
            preCommits[i] = preCommits[n - 1];
            preCommits.pop();
            if (_reveal(c, id, PRE_COMMITTER)) {
                revealed.push(c);
                ++copiedReveals;
            }
            return;
        }
    }

    /// @notice The slot filler times out one of its challenges and reveals the next in one
    ///         transaction, so the job's open count never drops.
    function slotFillerCycle(uint256 k, uint256 m) external observe {
        (bool found, ChallengeId old, IDisputeGame.Challenge memory ch) = _pick(k, Actors.SlotFiller);
        if (!found || block.timestamp <= _deadline(old)) return;
        uint256 n = pending.length;
        for (uint256 t; t < n; ++t) {
            uint256 i = (m + t) % n;
            ChallengeId next = pending[i];
            if (actorOf[next] != SLOT_FILLER || pendingJob[next] != ch.jobId) continue;
            vm.roll(block.number + 1);
            bytes32 h = jobs.jobOf(ch.jobId).commitmentHash;
            try filler.cycle(old, next, ch.jobId, h, _salt(SLOT_FILLER)) {
                pending[i] = pending[n - 1];
                pending.pop();
                revealed.push(next);
                ++cycles;
            } catch {}
            return;
        }
    }

    /// @notice Anyone forfeits an expired commitment; a forfeit inside the reveal window, or
    ///         a refusal after it, breaks the rule.
    function forfeit(uint256 k) external observe {
        if (committed.length == 0) return;
        ChallengeId c = committed[k % committed.length];
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        if (ch.phase != IDisputeGame.Phase.Committed) return;
        bool due = block.number > uint256(ch.commitBlock) + game.revealWindow();
        try game.forfeitCommitment(c) {
            ++forfeits;
            if (!due) ++ruleBroken;
        } catch {
            if (due) ++ruleBroken;
        }
    }

    /// @notice A committer reclaims an unrevealed bond; accepted exactly when fraud on its job
    ///         is established (the handler never replaces a commitment).
    function reclaim(uint256 k) external observe {
        if (committed.length == 0) return;
        ChallengeId c = committed[k % committed.length];
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        if (ch.phase != IDisputeGame.Phase.Committed) return;
        uint256 actor = actorOf[c];
        if (actor == SLOT_FILLER) return;
        JobId id = pendingJob[c];
        bool allowed = game.disputeOf(id).fraud;
        bytes32 h = jobs.jobOf(id).commitmentHash;
        vm.prank(challengers[actor]);
        try game.reclaimCommitment(c, id, h, _salt(actor)) {
            ++reclaims;
            if (!allowed) ++ruleBroken;
        } catch {
            if (allowed) ++ruleBroken;
        }
    }

    /// @notice Anyone moots an open challenge: accepted exactly when a smaller id has won.
    function moot(uint256 k) external observe {
        (bool found, ChallengeId c, IDisputeGame.Challenge memory ch) = _pick(k, Actors.Any);
        if (!found) return;
        IDisputeGame.Dispute memory d = game.disputeOf(ch.jobId);
        bool allowed = d.fraud && ChallengeId.unwrap(c) > ChallengeId.unwrap(d.winner);
        try game.moot(c) {
            ++moots;
            if (!allowed) ++ruleBroken;
        } catch {
            if (allowed) ++ruleBroken;
        }
    }

    /// @notice An account withdraws its claimable balance (a blocked one cannot, and that
    ///         must never hold anything else up).
    function withdraw(uint256 who) external observe {
        address[8] memory a = [
            challengers[0],
            challengers[1],
            challengers[2],
            challengers[3],
            challengers[4],
            provider,
            requester,
            game.treasury()
        ];
        address account = a[who % 8];
        if (game.claimable(account) == 0) return;
        if (account == address(filler)) {
            try filler.withdraw() {} catch {}
            return;
        }
        vm.prank(account);
        try game.withdraw() {} catch {}
    }

    /// @notice The token blocks (or unblocks) a recipient: the requester, an honest challenger
    ///         or the provider. Nothing but that account's own withdrawals may fail because of it.
    function toggleBlocked(uint256 who) external observe {
        address[3] memory a = [requester, challengers[HONEST_A], provider];
        address account = a[who % 3];
        token.setBlocked(account, !token.blocked(account));
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
        // Only non-canonical data, or roots that do not end in the committed output, may be
        // refused to a provider moving in time.
        if (!ok && ji.fault != DisputeData.Fault.JunkTail1 && ji.fault != DisputeData.Fault.Inconsistent) {
            ++honestRefused;
        }
        if (ok) ++movesPlayed;
    }

    /// @notice An honest challenger plays the first divergence, which must always be accepted.
    function honestMove(uint256 k) external observe {
        (bool found, ChallengeId c, IDisputeGame.Challenge memory ch) = _pick(k, Actors.Honest);
        if (!found) return;
        (bool played, bool ok) = _playHonest(c, ch);
        if (!played) return;
        if (!ok) ++honestRefused;
        else ++movesPlayed;
    }

    /// @notice The pre-committer copies the honest moves on its own challenges (it re-executes
    ///         nothing: the moves are what an honest challenger posts in public).
    function copierMove(uint256 k) external observe {
        (bool found, ChallengeId c, IDisputeGame.Challenge memory ch) = _pick(k, Actors.PreCommitter);
        if (!found) return;
        _playHonest(c, ch);
    }

    function _playHonest(ChallengeId c, IDisputeGame.Challenge memory ch) internal returns (bool played, bool ok) {
        if (!_challengerTurn(ch.phase) || block.timestamp > _deadline(c)) return (false, false);
        JobInfo memory ji = info[ch.jobId];
        DisputeData.Run memory r = DisputeData.run(ji.seed, ji.fault);
        DisputeData.Run memory h = DisputeData.run(ji.seed, DisputeData.Fault.None);
        address who = challengers[actorOf[c]];
        ok = true;
        if (ch.phase == IDisputeGame.Phase.AwaitNode) {
            // The first node whose root differs; none on an honest run (an honest challenger lets it go).
            if (r.faultNode == DisputeData.NONE) return (false, false);
            ok = _select(c, who, r.faultNode, r);
        } else if (ch.phase == IDisputeGame.Phase.AwaitChoice) {
            bytes32[] memory mine = Trees.children(r.tree0, ch.anchorLevel, ch.anchorIndex);
            bytes32[] memory truth = Trees.children(h.tree0, ch.anchorLevel, ch.anchorIndex);
            uint256 j;
            while (j < mine.length && mine[j] == truth[j]) ++j;
            if (j == mine.length) return (false, false);
            vm.prank(who);
            try game.chooseChild(c, mine, j) {} catch {
                ok = false;
            }
        } else {
            uint256 e;
            if (ch.nodeIndex == 0) {
                e = ch.anchorIndex * 32;
                while (e < DisputeData.L && _byte0(r, e) == _byte0(h, e)) ++e;
                if (e >= DisputeData.L || e / 32 != ch.anchorIndex) return (false, false);
            }
            IDisputeGame.OneStepProof memory p = DisputeProofs.proof(r, h, ch.nodeIndex, e);
            vm.prank(who);
            try game.proveStep(c, p) {} catch {
                ok = false;
            }
        }
        played = true;
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

    /// @notice Blocks pass (commitments expire: their reveal window is counted in blocks).
    function skipBlocks(uint256 blocks) external observe {
        vm.roll(block.number + bound(blocks, 1, 100));
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

    /// @dev A commitment as `actor` to challenge job `id`; a commit that fails (a blocked
    ///      account cannot pay its bond) is skipped.
    function _commitAs(JobId id, uint256 actor) internal {
        address who = challengers[actor];
        bytes32 commitment = keccak256(abi.encode(JobId.unwrap(id), jobs.jobOf(id).commitmentHash, who, _salt(actor)));
        ChallengeId c;
        if (actor == SLOT_FILLER) {
            try filler.commit(model, commitment) returns (ChallengeId got) {
                c = got;
            } catch {
                return;
            }
        } else {
            vm.prank(who);
            try game.commitChallenge(model, commitment) returns (ChallengeId got) {
                c = got;
            } catch {
                return;
            }
        }
        if (actor == PRE_COMMITTER) preCommits.push(c);
        else pending.push(c);
        committed.push(c);
        actorOf[c] = actor;
        pendingJob[c] = id;
    }

    function _reveal(ChallengeId c, JobId id, uint256 actor) internal returns (bool ok) {
        bytes32 h = jobs.jobOf(id).commitmentHash;
        if (actor == SLOT_FILLER) {
            try filler.reveal(c, id, h, _salt(actor)) {
                ok = true;
            } catch {}
            return ok;
        }
        vm.prank(challengers[actor]);
        try game.revealChallenge(c, id, h, _salt(actor)) {
            ok = true;
        } catch {}
    }

    /// @dev Whether a reveal of `c` against `id` must be accepted now (docs/PROTOCOL.md §9.1).
    function _revealDue(ChallengeId c, JobId id) internal view returns (bool) {
        IDisputeGame.Challenge memory ch = game.challengeOf(c);
        if (ch.phase != IDisputeGame.Phase.Committed) return false;
        if (block.number <= ch.commitBlock || block.number > uint256(ch.commitBlock) + game.revealWindow())
            return false;
        IJobManager.Job memory j = jobs.jobOf(id);
        IDisputeGame.Dispute memory d = game.disputeOf(id);
        if (j.status != JobStatus.Committed || d.fraud) return false;
        return
            block.timestamp < Timestamp.unwrap(j.windowEnd) ||
            d.open > 0 ||
            block.timestamp < Timestamp.unwrap(d.graceEnd);
    }

    /// @dev Whether an honest challenger has an open challenge against the job.
    function _honestOpen(JobId id) internal view returns (bool) {
        uint256 n = revealed.length;
        for (uint256 t; t < n; ++t) {
            ChallengeId c = revealed[t];
            if (actorOf[c] >= 2 || JobId.unwrap(game.challengeOf(c).jobId) != JobId.unwrap(id)) continue;
            IDisputeGame.Phase p = game.phaseOf(c);
            if (p >= IDisputeGame.Phase.AwaitRoots && p < IDisputeGame.Phase.Resolved) return true;
        }
        return false;
    }

    /// @dev A revealed challenge that is still open, starting from index `k`.
    /// @dev Whose challenges an action may pick.
    enum Actors {
        Any,
        Honest,
        Griefer,
        PreCommitter,
        SlotFiller
    }

    /// @dev An open challenge, from position k on, of the given actors.
    function _pick(uint256 k, Actors who) internal view returns (bool, ChallengeId, IDisputeGame.Challenge memory ch) {
        uint256 n = revealed.length;
        for (uint256 t; t < n; ++t) {
            ChallengeId c = revealed[(k + t) % n];
            uint256 actor = actorOf[c];
            if (who == Actors.Honest && actor >= 2) continue;
            if (who == Actors.Griefer && actor != GRIEFER) continue;
            if (who == Actors.PreCommitter && actor != PRE_COMMITTER) continue;
            if (who == Actors.SlotFiller && actor != SLOT_FILLER) continue;
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
