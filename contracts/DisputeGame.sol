// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {JobId, JobStatus, ModelId, ModelParams, TensorSpec, Timestamp, Duration} from "./libraries/Types.sol";
import {Graph, NodeDescriptor} from "./libraries/Graph.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";
import {IDisputeGame, ChallengeId} from "./interfaces/IDisputeGame.sol";
import {IJobManager} from "./interfaces/IJobManager.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IFloatStepVerifier} from "./interfaces/IFloatStepVerifier.sol";
import {IOneStepVerifier} from "./interfaces/IOneStepVerifier.sol";

/// @title DisputeGame
/// @notice Challenges, the bisection over a node's output and the one-step check
///         (docs/PROTOCOL.md §9). Holds challenger bonds, the pots of lost bonds and every
///         payout of a dispute as claimable balances (pull payments, §9.5); the JobManager
///         holds fees and the StakeManager the provider's collateral until a slash.
/// @dev No state-changing function loops over a job's challenges: every move, timeout,
///      moot and settlement touches a fixed number of slots, so there is no cap on the
///      challenges of a job and settling costs the same gas however many there are.
contract DisputeGame is IDisputeGame {
    using SafeERC20 for IERC20;

    /// @notice Outputs up to this many words are revealed whole, in one move.
    uint256 public constant WHOLE_REVEAL_MAX_WORDS = 64;
    /// @notice log2 of the children revealed per round of a large output.
    uint256 public constant LOG_K = 4;
    /// @notice Shares of the slashed collateral, in basis points (docs/PROTOCOL.md §9.4).
    uint256 public constant BOUNTY_BPS = 5000;
    uint256 public constant REQUESTER_BPS = 3000;
    uint256 public constant TREASURY_BPS = 2000;
    /// @notice ModelSpec.profile of float32 models (docs/PROTOCOL.md §7, §11): their one-step
    ///         proofs go to FLOAT_VERIFIER; every other registered model is exact integer.
    uint8 internal constant PROFILE_FLOAT32 = 2;
    /// @notice IFloatStepVerifier's VIOLATES.
    uint8 internal constant VIOLATES = 1;

    IJobManager internal immutable JOB_MANAGER;
    IModelRegistry internal immutable REGISTRY;
    IOneStepVerifier internal immutable VERIFIER;
    IFloatStepVerifier internal immutable FLOAT_VERIFIER;
    IERC20 internal immutable TOKEN;
    address internal immutable TREASURY;
    uint256 internal immutable REVEAL_WINDOW;

    /// @inheritdoc IDisputeGame
    uint256 public challengeCount;
    mapping(ChallengeId id => Challenge) internal _challenges;
    mapping(JobId jobId => Dispute) internal _disputes;
    /// @inheritdoc IDisputeGame
    mapping(address account => uint256) public claimable;

    /// @param jobManager_ The JobManager whose jobs are disputed; its token is the bond token.
    /// @param registry_ Where models are registered.
    /// @param verifier_ The one-step evaluator of the exact integer profile.
    /// @param floatVerifier_ The one-step verdict of the float32 profile.
    /// @param treasury_ Receives the treasury share of slashes and forfeited bonds.
    /// @param revealWindow_ Blocks after its commit within which a commitment can be revealed, > 0.
    constructor(
        IJobManager jobManager_,
        IModelRegistry registry_,
        IOneStepVerifier verifier_,
        IFloatStepVerifier floatVerifier_,
        address treasury_,
        uint256 revealWindow_
    ) {
        require(
            address(jobManager_) != address(0) &&
                address(registry_) != address(0) &&
                address(verifier_) != address(0) &&
                address(floatVerifier_) != address(0) &&
                treasury_ != address(0),
            ZeroAddress()
        );
        require(revealWindow_ != 0, ZeroRevealWindow());
        JOB_MANAGER = jobManager_;
        REGISTRY = registry_;
        VERIFIER = verifier_;
        FLOAT_VERIFIER = floatVerifier_;
        TOKEN = jobManager_.token();
        TREASURY = treasury_;
        REVEAL_WINDOW = revealWindow_;
    }

    /// @inheritdoc IDisputeGame
    function jobManager() external view returns (IJobManager) {
        return JOB_MANAGER;
    }

    /// @inheritdoc IDisputeGame
    function registry() external view returns (IModelRegistry) {
        return REGISTRY;
    }

    /// @inheritdoc IDisputeGame
    function verifier() external view returns (IOneStepVerifier) {
        return VERIFIER;
    }

    /// @inheritdoc IDisputeGame
    function floatVerifier() external view returns (IFloatStepVerifier) {
        return FLOAT_VERIFIER;
    }

    /// @inheritdoc IDisputeGame
    function token() external view returns (IERC20) {
        return TOKEN;
    }

    /// @inheritdoc IDisputeGame
    function treasury() external view returns (address) {
        return TREASURY;
    }

    /// @inheritdoc IDisputeGame
    function revealWindow() external view returns (uint256) {
        return REVEAL_WINDOW;
    }

    // ------------------------------------------------------------------ challenges

    /// @inheritdoc IDisputeGame
    function commitChallenge(ModelId modelId, bytes32 commitment) external returns (ChallengeId id) {
        ModelParams memory params = REGISTRY.params(modelId);
        uint128 bond = params.challengerBond;
        id = ChallengeId.wrap(++challengeCount);
        Challenge storage c = _challenges[id];
        c.challenger = msg.sender;
        c.commitBlock = uint64(block.number);
        c.commitment = commitment;
        c.modelId = modelId;
        c.bond = bond;
        // Models are immutable: every deadline of this challenge uses this window.
        c.responseWindow = params.responseWindow;
        c.phase = Phase.Committed;
        emit ChallengeCommitted(id, msg.sender, modelId, commitment, bond);
        // INVARIANT: every commitment holds its bond from its first block, so an option on a
        // job's bounty is never free (docs/PROTOCOL.md §9.1).
        TOKEN.safeTransferFrom(msg.sender, address(this), bond);
    }

    /// @inheritdoc IDisputeGame
    function revealChallenge(ChallengeId id, JobId jobId, bytes32 commitmentHash, bytes32 salt) external {
        Challenge storage c = _challenge(id);
        // INVARIANT: a challenge is revealed once, by its committer, in a later block than its
        // commit and at most REVEAL_WINDOW blocks after it.
        require(c.phase == Phase.Committed, WrongPhase(id, c.phase));
        require(c.challenger == msg.sender, NotChallenger(id, msg.sender));
        uint256 commitBlock = c.commitBlock;
        require(block.number > commitBlock, RevealTooEarly(id, uint64(commitBlock)));
        require(block.number <= commitBlock + REVEAL_WINDOW, RevealWindowPassed(id, commitBlock + REVEAL_WINDOW));
        require(_preimageMatches(c, jobId, commitmentHash, salt), CommitmentMismatch(id));

        IJobManager.Job memory job = JOB_MANAGER.jobOf(jobId);
        Dispute storage d = _disputes[jobId];
        // INVARIANT: only a committed job with no fraud established can be challenged.
        require(job.status == JobStatus.Committed && !d.fraud, JobNotChallengeable(jobId));
        // INVARIANT: a job stays challengeable inside its window, while any challenge of it is
        // open, and for one response window after its last challenge failed — so challenges
        // kept open by a cheater and then lost can never run an honest challenger out of time.
        require(
            block.timestamp < Timestamp.unwrap(job.windowEnd) ||
                d.open > 0 ||
                block.timestamp < Timestamp.unwrap(d.graceEnd),
            WindowClosed(jobId, job.windowEnd)
        );
        require(commitmentHash == job.commitmentHash, StaleCommitment(jobId, commitmentHash, job.commitmentHash));
        // INVARIANT: the bond held is the job's model's bond.
        require(job.modelId == c.modelId, ModelMismatch(id, c.modelId, job.modelId));

        c.jobId = jobId;
        c.revealedAt = Timestamp.wrap(uint64(block.timestamp));
        c.phase = Phase.AwaitRoots;
        d.challenges.push(id);
        d.open += 1;
        d.graceEnd = Timestamp.wrap(0);
        uint256 first = ChallengeId.unwrap(d.firstRevealed);
        if (first == 0 || ChallengeId.unwrap(id) < first) d.firstRevealed = id;
        if (!job.frozen) JOB_MANAGER.freeze(jobId);
        if (Timestamp.unwrap(d.rootsPostedAt) == 0 && Timestamp.unwrap(d.rootsDeadline) == 0) {
            d.rootsDeadline = _after(c.responseWindow);
        }
        emit ChallengeRevealed(id, jobId, msg.sender, commitmentHash, c.bond);
    }

    /// @inheritdoc IDisputeGame
    function forfeitCommitment(ChallengeId id) external {
        Challenge storage c = _challenge(id);
        require(c.phase == Phase.Committed, WrongPhase(id, c.phase));
        uint256 lastBlock = uint256(c.commitBlock) + REVEAL_WINDOW;
        require(block.number > lastBlock, RevealWindowOpen(id, lastBlock));
        _close(id, c, JobId.wrap(0), Outcome.Forfeited, Reason.Unrevealed);
        _credit(TREASURY, JobId.wrap(0), CreditReason.ForfeitedBond, c.bond);
    }

    /// @inheritdoc IDisputeGame
    function reclaimCommitment(ChallengeId id, JobId jobId, bytes32 commitmentHash, bytes32 salt) external {
        Challenge storage c = _challenge(id);
        require(c.phase == Phase.Committed, WrongPhase(id, c.phase));
        require(c.challenger == msg.sender, NotChallenger(id, msg.sender));
        require(_preimageMatches(c, jobId, commitmentHash, salt), CommitmentMismatch(id));
        // INVARIANT: a bond comes back unrevealed only when revealing became impossible through
        // no fault of the committer: someone else already established fraud, or the job does not
        // (or no longer) carry the commitment hash committed to.
        require(_disputes[jobId].fraud || _currentCommitmentHash(jobId) != commitmentHash, NotReclaimable(id, jobId));
        _close(id, c, jobId, Outcome.Reclaimed, Reason.Unrevealable);
        _credit(msg.sender, jobId, CreditReason.ReclaimedBond, c.bond);
    }

    // ------------------------------------------------------------------ moves

    /// @inheritdoc IDisputeGame
    function postRoots(JobId jobId, bytes32[] calldata nodeRoots) external {
        Dispute storage d = _disputes[jobId];
        IJobManager.Job memory job = JOB_MANAGER.jobOf(jobId);
        require(msg.sender == job.provider, NotProvider(jobId, msg.sender));
        require(d.open > 0 && !d.fraud, NoDispute(jobId));
        require(Timestamp.unwrap(d.rootsPostedAt) == 0, RootsAlreadyPosted(jobId));
        // INVARIANT: no move is accepted after its deadline.
        require(
            block.timestamp <= Timestamp.unwrap(d.rootsDeadline),
            DeadlinePassed(ChallengeId.wrap(0), d.rootsDeadline)
        );
        (, uint32 nodeCount) = REGISTRY.graphOf(job.modelId);
        // INVARIANT: one root per node, the last being the committed output. The commit binds
        // only the output; roots that end in it leave a wrong output a first node whose root
        // differs from the honest trace while its inputs agree, which is where an honest
        // challenger proves the fraud (docs/PROTOCOL.md §7). Roots that do not end in it are
        // refused, so a provider that cannot post consistent roots misses the roots deadline.
        require(nodeRoots.length == nodeCount, TraceMismatch(jobId));
        bytes32 last = nodeRoots[nodeCount - 1];
        require(last == job.outputRoot, RootsOutputMismatch(jobId, job.outputRoot, last));

        // INVARIANT: posted once per job (checked above), then fixed for every later move of
        // every challenge of the job: each is checked against this hash.
        d.rootsHash = keccak256(abi.encodePacked(nodeRoots));
        d.rootsPostedAt = Timestamp.wrap(uint64(block.timestamp));
        emit RootsPosted(jobId, nodeRoots);
    }

    /// @inheritdoc IDisputeGame
    function selectNode(
        ChallengeId id,
        uint32 nodeIndex,
        NodeDescriptor calldata node,
        bytes32[] calldata descriptorProof,
        bytes32[] calldata nodeRoots
    ) external {
        Challenge storage c = _select(id, nodeIndex, node, descriptorProof, nodeRoots);
        c.phase = c.wordCount <= WHOLE_REVEAL_MAX_WORDS ? Phase.AwaitWhole : Phase.AwaitChildren;
    }

    /// @inheritdoc IDisputeGame
    function selectElement(
        ChallengeId id,
        uint32 nodeIndex,
        NodeDescriptor calldata node,
        bytes32[] calldata descriptorProof,
        bytes32[] calldata nodeRoots,
        WordOpening calldata opening
    ) external {
        Challenge storage c = _select(id, nodeIndex, node, descriptorProof, nodeRoots);
        // The challenger holds the provider's data of this node (a float32 challenger checked
        // the provider's served trace): it opens the word against the posted root itself, so
        // no reveal round is needed. Binding is the tree's: another word needs a collision.
        TensorSpec memory spec = node.output;
        bytes32 reached = TensorCodec.tensorRoot(spec, opening.dataRoot);
        require(reached == c.nodeRoot, RevealMismatch(c.nodeRoot, reached));
        uint256 wordIndex = opening.wordIndex;
        require(wordIndex < c.wordCount, ChildOutOfRange(wordIndex, c.wordCount));
        bytes32[] memory leaf = new bytes32[](1);
        leaf[0] = opening.word;
        reached = TensorCodec.rootFromRange(wordIndex, leaf, opening.proof, c.anchorLevel);
        require(reached == opening.dataRoot, RevealMismatch(opening.dataRoot, reached));
        c.anchorLevel = 0;
        c.anchorIndex = uint32(wordIndex);
        c.anchorHash = opening.word;
        emit WordOpened(id, wordIndex, opening.word);
        // As for a leaf reached by bisection: a word with non-zero padding is fraud on its own.
        if (!_isCanonical(wordIndex, opening.word, c.byteLength)) {
            Dispute storage d = _disputes[c.jobId];
            _resolve(id, c, d, Outcome.Won, Reason.NonCanonical);
            _trySettle(c.jobId, d);
            return;
        }
        c.phase = Phase.AwaitProof;
    }

    /// @dev The node selection both selectNode and selectElement make: the descriptor proven
    ///      against the model, the posted roots checked, the node's output recorded, the
    ///      anchor at its data root and the next deadline set; the caller sets the phase.
    function _select(
        ChallengeId id,
        uint32 nodeIndex,
        NodeDescriptor calldata node,
        bytes32[] calldata descriptorProof,
        bytes32[] calldata nodeRoots
    ) internal returns (Challenge storage c) {
        c = _challengerMove(id, Phase.AwaitNode);
        IJobManager.Job memory job = JOB_MANAGER.jobOf(c.jobId);
        (bytes32 graphRoot, uint32 nodeCount) = REGISTRY.graphOf(job.modelId);
        _checkPostedRoots(c.jobId, nodeRoots);
        NodeDescriptor memory desc = node;
        Graph.verifyDescriptor(graphRoot, nodeCount, nodeIndex, desc, descriptorProof);

        uint256 byteLength = TensorCodec.elementCount(desc.output) * TensorCodec.width(desc.output.dtype);
        uint256 words = (byteLength + 31) / 32;
        c.nodeIndex = nodeIndex;
        c.nodeRoot = nodeRoots[nodeIndex];
        c.descriptorHash = Graph.descriptorHash(desc);
        c.outSpecHash = keccak256(abi.encode(desc.output));
        c.wordCount = uint32(words);
        c.byteLength = uint32(byteLength);
        c.anchorLevel = uint8(TensorCodec.depthOf(words));
        c.anchorIndex = 0;
        c.deadline = _after(c.responseWindow);
        emit NodeSelected(id, c.jobId, nodeIndex, uint32(words));
    }

    /// @inheritdoc IDisputeGame
    function revealWhole(ChallengeId id, TensorSpec calldata output, bytes32[] calldata words) external {
        Challenge storage c = _providerMove(id, Phase.AwaitWhole);
        TensorSpec memory spec = output;
        _checkHash(c.outSpecHash, keccak256(abi.encode(spec)));
        require(words.length == c.wordCount, WordCountMismatch(c.wordCount, words.length));
        bytes32 dataRoot = TensorCodec.merkleRoot(words);
        bytes32 reached = TensorCodec.tensorRoot(spec, dataRoot);
        require(reached == c.nodeRoot, RevealMismatch(c.nodeRoot, reached));
        // Words past the last are zero leaves by construction; only the last word can hide padding.
        uint256 last = words.length - 1;
        // INVARIANT: revealed data is canonical, so every element the root commits to is provable.
        require(_isCanonical(last, words[last], c.byteLength), NonCanonicalWord(last, words[last]));

        c.anchorHash = dataRoot;
        c.phase = Phase.AwaitProof;
        c.deadline = _after(c.responseWindow);
        emit WholeRevealed(id, words);
    }

    /// @inheritdoc IDisputeGame
    function revealChildren(
        ChallengeId id,
        TensorSpec calldata output,
        bytes32 dataRoot,
        bytes32[] calldata children
    ) external {
        Challenge storage c = _providerMove(id, Phase.AwaitChildren);
        bytes32 current = c.anchorHash;
        if (current == bytes32(0)) {
            // First round: open the tensor root to its data root.
            TensorSpec memory spec = output;
            _checkHash(c.outSpecHash, keccak256(abi.encode(spec)));
            bytes32 reached = TensorCodec.tensorRoot(spec, dataRoot);
            require(reached == c.nodeRoot, RevealMismatch(c.nodeRoot, reached));
            current = dataRoot;
            c.anchorHash = dataRoot;
        }
        uint256 step = c.anchorLevel < LOG_K ? c.anchorLevel : LOG_K;
        require(children.length == 1 << step, WordCountMismatch(1 << step, children.length));
        bytes32 subtree = TensorCodec.merkleRoot(children);
        require(subtree == current, RevealMismatch(current, subtree));

        c.childrenHash = keccak256(abi.encodePacked(children));
        c.phase = Phase.AwaitChoice;
        c.deadline = _after(c.responseWindow);
        emit ChildrenRevealed(id, c.anchorLevel, c.anchorIndex, children);
    }

    /// @inheritdoc IDisputeGame
    function chooseChild(ChallengeId id, bytes32[] calldata children, uint256 index) external {
        Challenge storage c = _challengerMove(id, Phase.AwaitChoice);
        _checkHash(c.childrenHash, keccak256(abi.encodePacked(children)));
        require(index < children.length, ChildOutOfRange(index, children.length));
        uint256 step = c.anchorLevel < LOG_K ? c.anchorLevel : LOG_K;

        uint8 level = c.anchorLevel - uint8(step);
        uint32 anchorIndex = uint32((uint256(c.anchorIndex) << step) + index);
        c.anchorLevel = level;
        c.anchorIndex = anchorIndex;
        c.anchorHash = children[index];
        c.childrenHash = bytes32(0);
        emit ChildChosen(id, index);
        // A leaf is the packed word itself: one with non-zero padding (or a non-zero word past the
        // data) is not part of any tensor's canonical encoding, which is fraud on its own.
        if (level == 0 && !_isCanonical(anchorIndex, children[index], c.byteLength)) {
            Dispute storage d = _disputes[c.jobId];
            _resolve(id, c, d, Outcome.Won, Reason.NonCanonical);
            _trySettle(c.jobId, d);
            return;
        }
        c.phase = level == 0 ? Phase.AwaitProof : Phase.AwaitChildren;
        c.deadline = _after(c.responseWindow);
    }

    /// @inheritdoc IDisputeGame
    function proveStep(ChallengeId id, OneStepProof calldata proof) external {
        Challenge storage c = _challengerMove(id, Phase.AwaitProof);
        IJobManager.Job memory job = JOB_MANAGER.jobOf(c.jobId);
        NodeDescriptor memory node = proof.node;
        _checkHash(c.descriptorHash, Graph.descriptorHash(node));
        _checkPostedRoots(c.jobId, proof.nodeRoots);

        int256 claimed = _claimedElement(c, node.output, proof);
        bytes32[] memory operandRoots = _operandRoots(c.nodeIndex, node, job.inputRoot, proof.nodeRoots);
        // INVARIANT: a float32 node is judged by its bound, never bit for bit, and an exact
        // integer node never by a bound (docs/PROTOCOL.md §11.3): the model's profile picks the
        // check, and a proof carrying the other profile's operands is refused.
        (uint8 profile, bytes32 policyHash) = REGISTRY.numericsOf(job.modelId);
        bool fraud;
        if (profile == PROFILE_FLOAT32) {
            require(proof.operands.length == 0, ProofProfileMismatch(profile));
            uint8 verdict = FLOAT_VERIFIER.verdict(
                proof.node,
                operandRoots,
                proof.outIndex,
                claimed,
                proof.floatProof,
                policyHash
            );
            emit FloatStepChecked(id, proof.outIndex, claimed, verdict);
            fraud = verdict == VIOLATES;
        } else {
            require(proof.floatProof.length == 0, ProofProfileMismatch(profile));
            int256 recomputed = VERIFIER.execute(proof.node, operandRoots, proof.outIndex, proof.operands);
            emit StepChecked(id, proof.outIndex, claimed, recomputed);
            fraud = recomputed != claimed;
        }

        Dispute storage d = _disputes[c.jobId];
        if (fraud) {
            _resolve(id, c, d, Outcome.Won, Reason.FraudProven);
        } else {
            _resolve(id, c, d, Outcome.Lost, profile == PROFILE_FLOAT32 ? Reason.WithinBound : Reason.ElementMatches);
        }
        _trySettle(c.jobId, d);
    }

    /// @inheritdoc IDisputeGame
    function timeout(ChallengeId id) external {
        Challenge storage c = _challenge(id);
        Phase phase = _phase(c);
        require(phase >= Phase.AwaitRoots && phase < Phase.Resolved, WrongPhase(id, phase));
        Timestamp deadline = _deadline(c, phase);
        // INVARIANT: a timeout only ever punishes a party whose deadline has passed.
        require(block.timestamp > Timestamp.unwrap(deadline), DeadlineNotReached(id, deadline));

        Dispute storage d = _disputes[c.jobId];
        if (_isMoot(id, d)) {
            // A challenge younger than the winner has nothing left to win or lose.
            _resolve(id, c, d, Outcome.Moot, Reason.Superseded);
        } else if (phase == Phase.AwaitRoots) {
            // The provider's silence makes every revealed challenge a winner; the oldest one
            // takes the bounty, and this one (if another) is moot.
            _rootsFailed(d, Reason.ProviderTimeout);
            if (c.phase != Phase.Resolved) _resolve(id, c, d, Outcome.Moot, Reason.Superseded);
        } else if (phase == Phase.AwaitWhole || phase == Phase.AwaitChildren) {
            _resolve(id, c, d, Outcome.Won, Reason.ProviderTimeout);
        } else {
            _resolve(id, c, d, Outcome.Lost, Reason.ChallengerTimeout);
        }
        _trySettle(c.jobId, d);
    }

    /// @inheritdoc IDisputeGame
    function moot(ChallengeId id) external {
        Challenge storage c = _challenge(id);
        Phase phase = _phase(c);
        require(phase >= Phase.AwaitRoots && phase < Phase.Resolved, WrongPhase(id, phase));
        Dispute storage d = _disputes[c.jobId];
        require(_isMoot(id, d), NotMoot(id, d.winner));
        _resolve(id, c, d, Outcome.Moot, Reason.Superseded);
        _trySettle(c.jobId, d);
    }

    /// @inheritdoc IDisputeGame
    function settle(JobId jobId) external {
        Dispute storage d = _disputes[jobId];
        require(_trySettle(jobId, d), NotSettleable(jobId));
    }

    /// @inheritdoc IDisputeGame
    function withdraw() external returns (uint256) {
        return _withdraw(msg.sender);
    }

    /// @inheritdoc IDisputeGame
    function withdrawTo(address to) external returns (uint256) {
        require(to != address(0), ZeroAddress());
        return _withdraw(to);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDisputeGame
    function challengeOf(ChallengeId id) external view returns (Challenge memory c) {
        c = _challenges[id];
        if (c.phase != Phase.None) c.phase = _phase(_challenges[id]);
    }

    /// @inheritdoc IDisputeGame
    function disputeOf(JobId jobId) external view returns (Dispute memory) {
        return _disputes[jobId];
    }

    /// @inheritdoc IDisputeGame
    function phaseOf(ChallengeId id) external view returns (Phase) {
        return _phase(_challenges[id]);
    }

    /// @inheritdoc IDisputeGame
    function deadlineOf(ChallengeId id) external view returns (Timestamp) {
        Challenge storage c = _challenges[id];
        return _deadline(c, _phase(c));
    }

    // ------------------------------------------------------------------ internals

    function _challenge(ChallengeId id) internal view returns (Challenge storage c) {
        c = _challenges[id];
        require(c.phase != Phase.None, UnknownChallenge(id));
    }

    /// @dev AwaitRoots becomes AwaitNode as soon as the job's roots are posted.
    function _phase(Challenge storage c) internal view returns (Phase) {
        if (c.phase == Phase.AwaitRoots && Timestamp.unwrap(_disputes[c.jobId].rootsPostedAt) != 0) {
            return Phase.AwaitNode;
        }
        return c.phase;
    }

    function _deadline(Challenge storage c, Phase phase) internal view returns (Timestamp) {
        Dispute storage d = _disputes[c.jobId];
        if (phase == Phase.AwaitRoots) return d.rootsDeadline;
        if (phase == Phase.AwaitNode && c.phase == Phase.AwaitRoots) {
            uint64 from = Timestamp.unwrap(d.rootsPostedAt);
            uint64 revealed = Timestamp.unwrap(c.revealedAt);
            return Timestamp.wrap((from > revealed ? from : revealed) + c.responseWindow.raw());
        }
        return c.deadline;
    }

    function _challengerMove(ChallengeId id, Phase expected) internal view returns (Challenge storage c) {
        c = _challenge(id);
        require(msg.sender == c.challenger, NotChallenger(id, msg.sender));
        _checkMove(id, c, expected);
    }

    function _providerMove(ChallengeId id, Phase expected) internal view returns (Challenge storage c) {
        c = _challenge(id);
        address provider = JOB_MANAGER.providerOf(c.jobId);
        require(msg.sender == provider, NotProvider(c.jobId, msg.sender));
        _checkMove(id, c, expected);
    }

    function _checkMove(ChallengeId id, Challenge storage c, Phase expected) internal view {
        Phase phase = _phase(c);
        // INVARIANT: a move belongs to exactly one phase, and resolved challenges take no moves.
        require(phase == expected, WrongPhase(id, phase));
        Timestamp deadline = _deadline(c, phase);
        // INVARIANT: no move is accepted after its deadline.
        require(block.timestamp <= Timestamp.unwrap(deadline), DeadlinePassed(id, deadline));
    }

    /// @dev The roots are the ones the provider posted for the job. Their count was checked when
    ///      they were posted; roots of another count hash to another value (each root is 32
    ///      bytes). Only called once the roots are posted (a challenge past AwaitRoots), so the
    ///      stored hash is never the zero of "not posted".
    function _checkPostedRoots(JobId jobId, bytes32[] calldata nodeRoots) internal view {
        require(keccak256(abi.encodePacked(nodeRoots)) == _disputes[jobId].rootsHash, TraceMismatch(jobId));
    }

    /// @dev Whether word `index` of a tensor with `byteLength` packed bytes is zero past them.
    function _isCanonical(uint256 index, bytes32 word, uint256 byteLength) internal pure returns (bool) {
        uint256 start = index * 32;
        if (start >= byteLength) return word == bytes32(0);
        uint256 used = byteLength - start;
        return used >= 32 || uint256(word) << (used * 8) == 0;
    }

    function _checkHash(bytes32 expected, bytes32 actual) internal pure {
        require(expected == actual, HashMismatch(expected, actual));
    }

    /// @dev Reads the provider's claimed element out of the word opened under the anchor.
    function _claimedElement(
        Challenge storage c,
        TensorSpec memory output,
        OneStepProof calldata proof
    ) internal view returns (int256) {
        uint256 count = TensorCodec.elementCount(output);
        uint256 width = TensorCodec.width(output.dtype);
        uint256 byteIndex = TensorCodec.committedPosition(output, proof.outIndex) * width;
        uint256 wordIndex = byteIndex / 32;
        uint256 level = c.anchorLevel;
        require(
            proof.outIndex < count && wordIndex == proof.outWordIndex && (wordIndex >> level) == c.anchorIndex,
            ElementNotOpened(proof.outIndex, proof.outWordIndex)
        );
        bytes32[] memory leaf = new bytes32[](1);
        leaf[0] = proof.outWord;
        bytes32 reached = TensorCodec.rootFromRange(wordIndex & ((1 << level) - 1), leaf, proof.outProof, level);
        require(reached == c.anchorHash, RevealMismatch(c.anchorHash, reached));
        return TensorCodec.readWord(proof.outWord, byteIndex % 32, width, TensorCodec.signed(output.dtype));
    }

    /// @dev The root each operand must open against: the job input, an earlier node's
    ///      root as the provider posted it, or the constant's root from the descriptor.
    function _operandRoots(
        uint32 nodeIndex,
        NodeDescriptor memory node,
        bytes32 inputRoot,
        bytes32[] calldata roots
    ) internal pure returns (bytes32[] memory operandRoots) {
        operandRoots = new bytes32[](node.inputs.length);
        for (uint256 k; k < node.inputs.length; ++k) {
            uint8 source = node.inputs[k].source;
            if (source == Graph.JOB_INPUT) {
                operandRoots[k] = inputRoot;
            } else if (source == Graph.NODE_OUTPUT) {
                uint32 j = node.inputs[k].index;
                require(j < nodeIndex, OperandNotEarlier(nodeIndex, j));
                operandRoots[k] = roots[j];
            } else if (source == Graph.CONSTANT) {
                operandRoots[k] = node.inputs[k].root;
            }
        }
    }

    /// @dev Resolves one open challenge: a won or moot challenge's bond is credited back, a
    ///         lost one's goes into the job's pot. O(1): no list is touched.
    function _resolve(ChallengeId id, Challenge storage c, Dispute storage d, Outcome outcome, Reason reason) internal {
        // INVARIANT: a challenge resolves exactly once.
        JobId jobId = c.jobId;
        _close(id, c, jobId, outcome, reason);
        d.open -= 1;
        uint256 bond = c.bond;
        if (outcome == Outcome.Lost) {
            d.failed = true;
            d.pot += bond;
            return;
        }
        if (outcome == Outcome.Won) {
            d.fraud = true;
            // INVARIANT: the bounty goes to the won challenge with the lowest id.
            if (ChallengeId.unwrap(d.winner) == 0 || ChallengeId.unwrap(id) < ChallengeId.unwrap(d.winner)) {
                d.winner = id;
            }
        }
        _credit(c.challenger, jobId, outcome == Outcome.Won ? CreditReason.BondRefund : CreditReason.MootRefund, bond);
    }

    function _close(ChallengeId id, Challenge storage c, JobId jobId, Outcome outcome, Reason reason) internal {
        c.phase = Phase.Resolved;
        c.outcome = outcome;
        c.reason = reason;
        if (outcome == Outcome.Reclaimed) c.jobId = jobId;
        emit ChallengeResolved(id, jobId, outcome, reason);
    }

    /// @dev The roots failed (missed deadline): every revealed challenge
    ///      wins at once, and the oldest revealed one is the winner. It is open and waiting on
    ///      the roots: no challenge can end before the roots are posted or fraud established,
    ///      and the roots fail only while none has been posted.
    function _rootsFailed(Dispute storage d, Reason reason) internal {
        ChallengeId first = d.firstRevealed;
        _resolve(first, _challenges[first], d, Outcome.Won, reason);
    }

    /// @dev Whether an open challenge is moot: fraud is established by a challenge with a smaller id.
    function _isMoot(ChallengeId id, Dispute storage d) internal view returns (bool) {
        return d.fraud && ChallengeId.unwrap(id) > ChallengeId.unwrap(d.winner);
    }

    /// @dev Settles when possible: after fraud, once no challenge is open; without fraud, once no
    ///      challenge is open, one has failed and the grace period is over. Constant gas.
    ///      Returns whether it settled.
    function _trySettle(JobId jobId, Dispute storage d) internal returns (bool) {
        if (d.settled || d.open != 0) return false;
        if (d.fraud) {
            _settleFraud(jobId, d);
            return true;
        }
        if (!d.failed) return false;
        if (Timestamp.unwrap(d.graceEnd) == 0) {
            // Every challenge failed: leave the job open to challenges for one more response
            // window before it can finalize.
            d.graceEnd = _after(_responseWindowOf(jobId));
            return false;
        }
        if (block.timestamp < Timestamp.unwrap(d.graceEnd)) return false;
        d.failed = false;
        d.graceEnd = Timestamp.wrap(0);
        uint256 pot = d.pot;
        if (pot != 0) {
            d.pot = 0;
            // The bonds of the challenges that failed against this (for now) correct result.
            _credit(JOB_MANAGER.providerOf(jobId), jobId, CreditReason.LostBonds, pot);
        }
        emit DisputeSettled(jobId, false, ChallengeId.wrap(0), 0);
        JOB_MANAGER.release(jobId);
        return true;
    }

    /// @dev The slash: the collateral and the fee come to this contract (one transfer each,
    ///      from contracts of the protocol), and every share is credited, never pushed.
    function _settleFraud(JobId jobId, Dispute storage d) internal {
        d.settled = true;
        ChallengeId winner = d.winner;
        address winnerAccount = _challenges[winner].challenger;
        uint256 pot = d.pot;
        d.pot = 0;
        (address requester, uint256 collateral, uint256 fee) = JOB_MANAGER.settleFraud(jobId);
        uint256 bounty = (collateral * BOUNTY_BPS) / 10_000;
        uint256 refund = (collateral * REQUESTER_BPS) / 10_000;
        _credit(winnerAccount, jobId, CreditReason.Bounty, bounty);
        _credit(winnerAccount, jobId, CreditReason.LostBonds, pot);
        _credit(requester, jobId, CreditReason.RequesterShare, refund);
        _credit(requester, jobId, CreditReason.FeeRefund, fee);
        _credit(TREASURY, jobId, CreditReason.TreasuryShare, collateral - bounty - refund);
        emit DisputeSettled(jobId, true, winner, bounty);
    }

    function _credit(address account, JobId jobId, CreditReason reason, uint256 amount) internal {
        if (amount == 0) return;
        claimable[account] += amount;
        emit Credited(account, jobId, reason, amount);
    }

    function _withdraw(address to) internal returns (uint256 amount) {
        amount = claimable[msg.sender];
        require(amount != 0, NothingToWithdraw(msg.sender));
        claimable[msg.sender] = 0;
        emit Withdrawn(msg.sender, to, amount);
        TOKEN.safeTransfer(to, amount);
    }

    function _preimageMatches(
        Challenge storage c,
        JobId jobId,
        bytes32 commitmentHash,
        bytes32 salt
    ) internal view returns (bool) {
        return keccak256(abi.encode(JobId.unwrap(jobId), commitmentHash, msg.sender, salt)) == c.commitment;
    }

    /// @dev The job's commitment hash now; zero for a job that does not exist or is not committed.
    function _currentCommitmentHash(JobId jobId) internal view returns (bytes32) {
        if (JobId.unwrap(jobId) == 0 || JobId.unwrap(jobId) > JOB_MANAGER.jobCount()) return bytes32(0);
        return JOB_MANAGER.jobOf(jobId).commitmentHash;
    }

    function _responseWindowOf(JobId jobId) internal view returns (Duration) {
        return REGISTRY.params(JOB_MANAGER.modelOf(jobId)).responseWindow;
    }

    function _after(Duration d) internal view returns (Timestamp) {
        return Timestamp.wrap(uint64(block.timestamp) + d.raw());
    }
}
