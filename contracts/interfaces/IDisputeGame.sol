// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Duration, JobId, ModelId, Timestamp, TensorSpec} from "../libraries/Types.sol";
import {NodeDescriptor} from "../libraries/Graph.sol";
import {TensorCodec} from "../libraries/TensorCodec.sol";
import {IJobManager} from "./IJobManager.sol";
import {IModelRegistry} from "./IModelRegistry.sol";
import {IFloatStepVerifier} from "./IFloatStepVerifier.sol";
import {IOneStepVerifier} from "./IOneStepVerifier.sol";

/// @notice A challenge, numbered from 1 in commit order; the order decides the bounty.
type ChallengeId is uint256;

/// @title IDisputeGame
/// @notice Commit–reveal challenges against committed jobs and the bisection game that
///         ends in a one-element check of one operator (docs/PROTOCOL.md §9).
interface IDisputeGame {
    /// @notice Where a challenge stands. Committed: bond paid, job hidden, not revealed yet.
    ///         AwaitRoots, AwaitWhole and AwaitChildren are the provider's turn; AwaitNode,
    ///         AwaitChoice and AwaitProof the challenger's. Resolved: ended (see Outcome),
    ///         including commitments forfeited or reclaimed without a reveal.
    enum Phase {
        None,
        Committed,
        AwaitRoots,
        AwaitNode,
        AwaitWhole,
        AwaitChildren,
        AwaitChoice,
        AwaitProof,
        Resolved
    }

    /// @notice How a challenge ended. Won and Moot: bond credited back. Lost: bond to the
    ///         job's pot. Forfeited: never revealed in time, bond credited to the treasury.
    ///         Reclaimed: revealing became impossible (fraud already established, or the
    ///         job's commitment changed), bond credited back (docs/PROTOCOL.md §9.1).
    enum Outcome {
        None,
        Won,
        Lost,
        Moot,
        Forfeited,
        Reclaimed
    }

    /// @notice Why a challenge ended. NonCanonical: the provider's data of the disputed node has
    ///         non-zero padding (bytes past the tensor's packed bytes), so its root is not the
    ///         tensor root of any tensor (docs/PROTOCOL.md §2, §9.2). Superseded: moot, a
    ///         challenge with a smaller id won. Unrevealed: forfeited. Unrevealable: reclaimed.
    ///         WithinBound: a float32 element whose verdict was not VIOLATES (docs/PROTOCOL.md §11.3).
    enum Reason {
        None,
        FraudProven,
        ProviderTimeout,
        ChallengerTimeout,
        ElementMatches,
        Superseded,
        NonCanonical,
        Unrevealed,
        Unrevealable,
        WithinBound
    }

    /// @notice Why an account was credited (docs/PROTOCOL.md §9.5).
    /// @param BondRefund A won challenge's bond.
    /// @param MootRefund A moot challenge's bond.
    /// @param ReclaimedBond A reclaimed commitment's bond.
    /// @param Bounty The winner's share of the slashed collateral.
    /// @param LostBonds A job's pot: to the provider on release, to the winner on a slash.
    /// @param RequesterShare The requester's share of the slashed collateral.
    /// @param FeeRefund The requester's escrowed fee, refunded on a slash.
    /// @param TreasuryShare The treasury's share of the slashed collateral.
    /// @param ForfeitedBond An unrevealed commitment's bond, to the treasury.
    enum CreditReason {
        BondRefund,
        MootRefund,
        ReclaimedBond,
        Bounty,
        LostBonds,
        RequesterShare,
        FeeRefund,
        TreasuryShare,
        ForfeitedBond
    }

    /// @notice One challenge's state.
    /// @param challenger Who committed it.
    /// @param commitBlock The block of the commit (a reveal must come later, and at most
    ///        `revealWindow` blocks later).
    /// @param phase Current phase (AwaitRoots turns into AwaitNode when the roots are posted).
    /// @param outcome How it ended, once Resolved.
    /// @param reason Why it ended.
    /// @param jobId The job, once revealed (or reclaimed).
    /// @param commitment H(jobId, commitmentHash, challenger, salt).
    /// @param modelId The model named at commit; the job revealed must be of this model.
    /// @param bond The model's challenger bond, pulled at commit.
    /// @param responseWindow The model's response window, read once at commit (models are
    ///        immutable): every deadline of the challenge uses it.
    /// @param revealedAt When it was revealed.
    /// @param deadline The deadline of the current move (roots phases derive theirs from the job).
    /// @param nodeIndex The disputed node.
    /// @param wordCount Words of the disputed node's output.
    /// @param byteLength Packed bytes of the disputed node's output (n · width); every byte of its
    ///        padded tree past them must be zero.
    /// @param anchorLevel Height of the opened subtree node (0 = a word).
    /// @param anchorIndex Index of the opened subtree node at its level.
    /// @param nodeRoot The provider's root of the disputed node's output.
    /// @param descriptorHash Hash of the disputed node's descriptor.
    /// @param outSpecHash Hash of the disputed node's output spec.
    /// @param anchorHash The opened subtree node (0 before the first opening).
    /// @param childrenHash Hash of the children revealed in the pending round.
    struct Challenge {
        address challenger;
        uint64 commitBlock;
        Phase phase;
        Outcome outcome;
        Reason reason;
        JobId jobId;
        bytes32 commitment;
        ModelId modelId;
        uint128 bond;
        Duration responseWindow;
        Timestamp revealedAt;
        Timestamp deadline;
        uint32 nodeIndex;
        uint32 wordCount;
        uint32 byteLength;
        uint8 anchorLevel;
        uint32 anchorIndex;
        bytes32 nodeRoot;
        bytes32 descriptorHash;
        bytes32 outSpecHash;
        bytes32 anchorHash;
        bytes32 childrenHash;
    }

    /// @notice The dispute state of one job, shared by its challenges.
    /// @param rootsDeadline When the provider must have posted its node roots.
    /// @param rootsPostedAt When it did (0 = not yet).
    /// @param fraud Whether a challenge of the job has been won.
    /// @param settled Whether the fraud was settled (the job is Slashed).
    /// @param failed Whether a challenge failed since the job was last released.
    /// @param graceEnd After every challenge failed: challenges stay possible until then.
    /// @param open Challenges revealed and not yet resolved (no cap).
    /// @param winner The lowest-numbered won challenge (0 = none); it takes the bounty.
    /// @param firstRevealed The lowest-numbered challenge ever revealed against the job: the
    ///        winner when the provider's roots fail (missed deadline).
    /// @param rootsHash keccak256 of the posted node roots, packed (zero = not yet posted):
    ///        every move of every challenge of the job is checked against it.
    /// @param pot Bonds of the job's lost challenges: credited to the provider when the job
    ///        is released, to the winner when it is slashed.
    /// @param challenges Every challenge revealed against the job, in reveal order, resolved
    ///        ones included (append-only; for views and off-chain tools, never iterated
    ///        on-chain). Not the list of open challenges: `open` counts those.
    // solhint-disable-next-line gas-struct-packing
    struct Dispute {
        Timestamp rootsDeadline;
        Timestamp rootsPostedAt;
        bool fraud;
        bool settled;
        bool failed;
        Timestamp graceEnd;
        uint32 open;
        ChallengeId winner;
        ChallengeId firstRevealed;
        bytes32 rootsHash;
        uint256 pot;
        ChallengeId[] challenges;
    }

    /// @notice One word of a node's output opened against its posted root (docs/PROTOCOL.md §9.2).
    /// @param dataRoot The output's data root (its tensor root under the output spec is the posted root).
    /// @param wordIndex The word.
    /// @param word Its packed bytes.
    /// @param proof The range proof of the word up to `dataRoot` (§3).
    struct WordOpening {
        bytes32 dataRoot;
        uint256 wordIndex;
        bytes32 word;
        bytes32[] proof;
    }

    /// @notice The one-step proof of docs/PROTOCOL.md §9.3.
    /// @param node The disputed node's descriptor.
    /// @param nodeRoots The provider's node roots (checked against the posted ones).
    /// @param outIndex Row-major index of the disputed output element.
    /// @param outWordIndex The word holding it.
    /// @param outWord That word.
    /// @param outProof Proof of the word up to the opened anchor.
    /// @param operands Exact integer profile: openings of the elements the output element depends
    ///        on (§6.1 order); empty for a float32 model.
    /// @param floatProof Float32 profile: `abi.encode(NumericsPolicy, bytes operands)` for
    ///        {IFloatStepVerifier.verdict} (§11.10); empty for an exact integer model.
    struct OneStepProof {
        NodeDescriptor node;
        bytes32[] nodeRoots;
        uint256 outIndex;
        uint256 outWordIndex;
        bytes32 outWord;
        bytes32[] outProof;
        TensorCodec.RangeOpening[] operands;
        bytes floatProof;
    }

    /// @notice A zero address where a contract is required.
    error ZeroAddress();
    /// @notice The reveal window must be at least one block.
    error ZeroRevealWindow();
    /// @notice No challenge with this id has been committed.
    /// @param id The id given.
    error UnknownChallenge(ChallengeId id);
    /// @notice A one-step proof carrying the other profile's operands: integer openings for a
    ///         float32 model, or a float proof for an exact integer one.
    /// @param profile The job's model's profile.
    error ProofProfileMismatch(uint8 profile);
    /// @notice Only the challenge's committer may make this move.
    /// @param id The challenge.
    /// @param caller The caller.
    error NotChallenger(ChallengeId id, address caller);
    /// @notice Only the job's provider may make this move.
    /// @param jobId The job.
    /// @param caller The caller.
    error NotProvider(JobId jobId, address caller);
    /// @notice The reveal came in the block of the commit.
    /// @param id The challenge.
    /// @param commitBlock The commit's block.
    error RevealTooEarly(ChallengeId id, uint64 commitBlock);
    /// @notice The reveal came more than `revealWindow` blocks after the commit: the
    ///         commitment has expired and can only be forfeited (or reclaimed).
    /// @param id The challenge.
    /// @param lastBlock The last block in which it could be revealed.
    error RevealWindowPassed(ChallengeId id, uint256 lastBlock);
    /// @notice A forfeit before the commitment's reveal window is over.
    /// @param id The challenge.
    /// @param lastBlock The last block in which it can still be revealed.
    error RevealWindowOpen(ChallengeId id, uint256 lastBlock);
    /// @notice The revealed fields do not hash to the commitment.
    /// @param id The challenge.
    error CommitmentMismatch(ChallengeId id);
    /// @notice The job revealed is not of the model named at commit.
    /// @param id The challenge.
    /// @param committed The model named at commit.
    /// @param actual The job's model.
    error ModelMismatch(ChallengeId id, ModelId committed, ModelId actual);
    /// @notice A reclaim while the commitment could still be revealed (no fraud on the job,
    ///         and the job's commitment hash is the one committed to).
    /// @param id The challenge.
    /// @param jobId The job.
    error NotReclaimable(ChallengeId id, JobId jobId);
    /// @notice `moot` of a challenge that is not moot: no fraud established yet, or its id is
    ///         below the winner's (it keeps its right to the bounty).
    /// @param id The challenge.
    /// @param winner The job's winner (0 = none).
    error NotMoot(ChallengeId id, ChallengeId winner);
    /// @notice A withdrawal with nothing claimable.
    /// @param account The caller.
    error NothingToWithdraw(address account);
    /// @notice The job is not in a state that can be challenged.
    /// @param jobId The job.
    error JobNotChallengeable(JobId jobId);
    /// @notice The job's challenge window (and any dispute extension of it) is over.
    /// @param jobId The job.
    /// @param windowEnd When it ended.
    error WindowClosed(JobId jobId, Timestamp windowEnd);
    /// @notice The challenge names a commitment the job no longer has (e.g. after a reorg).
    /// @param jobId The job.
    /// @param named The commitment hash the challenge names.
    /// @param current The job's commitment hash.
    error StaleCommitment(JobId jobId, bytes32 named, bytes32 current);
    /// @notice The move does not belong to the challenge's current phase.
    /// @param id The challenge.
    /// @param phase Its phase.
    error WrongPhase(ChallengeId id, Phase phase);
    /// @notice The move came after its deadline.
    /// @param id The challenge.
    /// @param deadline The deadline.
    error DeadlinePassed(ChallengeId id, Timestamp deadline);
    /// @notice A timeout was called before the deadline.
    /// @param id The challenge.
    /// @param deadline The deadline.
    error DeadlineNotReached(ChallengeId id, Timestamp deadline);
    /// @notice The roots were already posted for this job.
    /// @param jobId The job.
    error RootsAlreadyPosted(JobId jobId);
    /// @notice The job has no open dispute waiting for roots.
    /// @param jobId The job.
    error NoDispute(JobId jobId);
    /// @notice Node roots of the wrong count, or not the roots the provider posted for the job.
    /// @param jobId The job.
    error TraceMismatch(JobId jobId);
    /// @notice The last posted node root is not the committed outputRoot: the roots are not a
    ///         trace of the committed output.
    /// @param jobId The job.
    /// @param expected The committed outputRoot.
    /// @param actual The last root given.
    error RootsOutputMismatch(JobId jobId, bytes32 expected, bytes32 actual);
    /// @notice A spec, descriptor or children list that is not the one committed to.
    /// @param expected The stored hash.
    /// @param actual The hash of what was given.
    error HashMismatch(bytes32 expected, bytes32 actual);
    /// @notice A whole reveal with the wrong number of words.
    /// @param expected The node's word count.
    /// @param actual The number given.
    error WordCountMismatch(uint256 expected, uint256 actual);
    /// @notice A reveal that does not open to the committed root.
    /// @param expected The root it had to reach.
    /// @param actual The root reached.
    error RevealMismatch(bytes32 expected, bytes32 actual);
    /// @notice A revealed word with non-zero bytes past the end of the tensor's packed bytes: the
    ///         padding of the canonical encoding is zero (docs/PROTOCOL.md §2).
    /// @param wordIndex The word.
    /// @param word Its value.
    error NonCanonicalWord(uint256 wordIndex, bytes32 word);
    /// @notice A child index outside the revealed children.
    /// @param index The index given.
    /// @param count The number of children.
    error ChildOutOfRange(uint256 index, uint256 count);
    /// @notice The disputed element is outside the node's output or the opened anchor.
    /// @param outIndex The element.
    /// @param wordIndex Its word.
    error ElementNotOpened(uint256 outIndex, uint256 wordIndex);
    /// @notice A NODE_OUTPUT operand that does not come from an earlier node.
    /// @param node The disputed node.
    /// @param operandNode The node named by the operand.
    error OperandNotEarlier(uint256 node, uint256 operandNode);
    /// @notice Settlement is not possible yet: a challenge is still open, the grace period
    ///         runs, or there is nothing to settle.
    /// @param jobId The job.
    error NotSettleable(JobId jobId);

    /// @notice A challenge was committed and its bond taken.
    /// @param id Its id (commit order).
    /// @param challenger Who committed.
    /// @param modelId The model of the (hidden) job.
    /// @param commitment The commitment.
    /// @param bond The bond.
    event ChallengeCommitted(
        ChallengeId indexed id,
        address indexed challenger,
        ModelId indexed modelId,
        bytes32 commitment,
        uint256 bond
    );
    /// @notice A challenge was revealed.
    /// @param id The challenge.
    /// @param jobId The job.
    /// @param challenger The challenger.
    /// @param commitmentHash The job commitment it disputes.
    /// @param bond The bond.
    event ChallengeRevealed(
        ChallengeId indexed id,
        JobId indexed jobId,
        address indexed challenger,
        bytes32 commitmentHash,
        uint256 bond
    );
    /// @notice The provider posted its node roots.
    /// @param jobId The job.
    /// @param nodeRoots The roots.
    event RootsPosted(JobId indexed jobId, bytes32[] nodeRoots);
    /// @notice The challenger named the node it disputes.
    /// @param id The challenge.
    /// @param jobId The job.
    /// @param node The node.
    /// @param wordCount Words of its output.
    event NodeSelected(ChallengeId indexed id, JobId indexed jobId, uint32 node, uint32 wordCount);
    /// @notice The challenger opened one word of the selected node's output itself (selectElement).
    /// @param id The challenge.
    /// @param wordIndex The word.
    /// @param word Its packed bytes.
    event WordOpened(ChallengeId indexed id, uint256 wordIndex, bytes32 word);
    /// @notice The provider revealed the whole output of the disputed node.
    /// @param id The challenge.
    /// @param words The words.
    event WholeRevealed(ChallengeId indexed id, bytes32[] words);
    /// @notice The provider revealed the children of the current subtree node.
    /// @param id The challenge.
    /// @param level Height of the subtree node opened.
    /// @param index Its index.
    /// @param children The children.
    event ChildrenRevealed(ChallengeId indexed id, uint8 level, uint32 index, bytes32[] children);
    /// @notice The challenger chose the child it disputes.
    /// @param id The challenge.
    /// @param index The child.
    event ChildChosen(ChallengeId indexed id, uint256 index);
    /// @notice A one-step proof was checked.
    /// @param id The challenge.
    /// @param outIndex The element.
    /// @param claimed The provider's value.
    /// @param recomputed The value recomputed on-chain.
    event StepChecked(ChallengeId indexed id, uint256 outIndex, int256 claimed, int256 recomputed);
    /// @notice A one-step proof of a float32 node was checked (docs/PROTOCOL.md §11.3, §11.10).
    /// @param id The challenge.
    /// @param outIndex The element.
    /// @param claimed The provider's element (fp32 bits; the index for ArgMax).
    /// @param verdict 0 ADMISSIBLE, 1 VIOLATES, 2 UNCHECKED.
    event FloatStepChecked(ChallengeId indexed id, uint256 outIndex, int256 claimed, uint8 verdict);
    /// @notice A challenge ended (or a commitment was forfeited or reclaimed).
    /// @param id The challenge.
    /// @param jobId The job (0 for a forfeited commitment: its job was never revealed).
    /// @param outcome How.
    /// @param reason Why.
    event ChallengeResolved(ChallengeId indexed id, JobId indexed jobId, Outcome outcome, Reason reason);
    /// @notice A job's dispute was settled.
    /// @param jobId The job.
    /// @param fraud Whether the provider was slashed.
    /// @param winner The challenge paid the bounty (0 when no fraud).
    /// @param bounty The bounty paid.
    event DisputeSettled(JobId indexed jobId, bool fraud, ChallengeId indexed winner, uint256 bounty);
    /// @notice An account's claimable balance grew.
    /// @param account Who may withdraw it.
    /// @param jobId The job it comes from (0 for a forfeited commitment).
    /// @param reason What it is.
    /// @param amount How much.
    event Credited(address indexed account, JobId indexed jobId, CreditReason reason, uint256 amount);
    /// @notice An account withdrew its claimable balance.
    /// @param account Whose balance.
    /// @param to Where the tokens went.
    /// @param amount How much.
    event Withdrawn(address indexed account, address indexed to, uint256 amount);

    /// @notice Commits to a challenge without saying which job, and pulls the model's
    ///         challenger bond (needs an allowance). Must be revealed within `revealWindow`
    ///         blocks or it can be forfeited (docs/PROTOCOL.md §9.1).
    /// @param modelId The model of the job to be challenged (public; the job stays hidden).
    /// @param commitment keccak256(abi.encode(jobId, commitmentHash, challenger, salt)).
    /// @return id The challenge id, in commit order.
    function commitChallenge(ModelId modelId, bytes32 commitment) external returns (ChallengeId id);

    /// @notice Reveals a committed challenge (a later block than the commit, at most
    ///         `revealWindow` blocks after it) and freezes the job. No cap on the open
    ///         challenges of a job.
    /// @param id The challenge.
    /// @param jobId The job challenged; of the model named at commit.
    /// @param commitmentHash The job commitment disputed (must be current).
    /// @param salt The commitment's salt.
    function revealChallenge(ChallengeId id, JobId jobId, bytes32 commitmentHash, bytes32 salt) external;

    /// @notice Credits an unrevealed commitment's bond to the treasury once its reveal window
    ///         is over; anyone may call.
    /// @param id The challenge.
    function forfeitCommitment(ChallengeId id) external;

    /// @notice Gives an unrevealed commitment's bond back to its committer when revealing
    ///         became impossible through no fault of its own: fraud on the job is already
    ///         established, or the job's commitment hash is not `commitmentHash`. Committer
    ///         only, with the commitment's preimage; before anyone forfeits it.
    /// @param id The challenge.
    /// @param jobId The job committed to.
    /// @param commitmentHash The job commitment committed to.
    /// @param salt The commitment's salt.
    function reclaimCommitment(ChallengeId id, JobId jobId, bytes32 commitmentHash, bytes32 salt) external;

    /// @notice The provider's first move: every node output root of its trace, the last being
    ///         the committed outputRoot (else `RootsOutputMismatch`). Posted once per job
    ///         (`RootsAlreadyPosted`) and fixed for every challenge of it.
    /// @param jobId The job.
    /// @param nodeRoots The roots in node order.
    function postRoots(JobId jobId, bytes32[] calldata nodeRoots) external;

    /// @notice The challenger names the first node it disagrees with.
    /// @param id The challenge.
    /// @param nodeIndex The node.
    /// @param node Its descriptor.
    /// @param descriptorProof Proof of the descriptor against the model's graphRoot.
    /// @param nodeRoots The provider's posted roots.
    function selectNode(
        ChallengeId id,
        uint32 nodeIndex,
        NodeDescriptor calldata node,
        bytes32[] calldata descriptorProof,
        bytes32[] calldata nodeRoots
    ) external;

    /// @notice The challenger names a node and opens the word holding the element it disputes,
    ///         from the provider's own data of that node, against the posted root: the
    ///         challenge goes straight to AwaitProof, without a reveal round. A word with non-zero
    ///         padding wins at once (Reason.NonCanonical), as a leaf reached by bisection does.
    /// @param id The challenge.
    /// @param nodeIndex The node.
    /// @param node Its descriptor.
    /// @param descriptorProof Proof of the descriptor against the model's graphRoot.
    /// @param nodeRoots The provider's posted roots.
    /// @param opening The word, against the node's data root.
    function selectElement(
        ChallengeId id,
        uint32 nodeIndex,
        NodeDescriptor calldata node,
        bytes32[] calldata descriptorProof,
        bytes32[] calldata nodeRoots,
        WordOpening calldata opening
    ) external;

    /// @notice The provider reveals the whole (small) output of the disputed node. Its padding
    ///         must be zero (NonCanonicalWord otherwise).
    /// @param id The challenge.
    /// @param output The node's output spec.
    /// @param words All words of the output.
    function revealWhole(ChallengeId id, TensorSpec calldata output, bytes32[] calldata words) external;

    /// @notice The provider reveals the children of the current subtree node.
    /// @param id The challenge.
    /// @param output The node's output spec (checked in the first round).
    /// @param dataRoot The output's data root (used in the first round only).
    /// @param children The 2^min(LOG_K, level) descendants.
    function revealChildren(
        ChallengeId id,
        TensorSpec calldata output,
        bytes32 dataRoot,
        bytes32[] calldata children
    ) external;

    /// @notice The challenger picks the revealed child it disputes. When that child is a word
    ///         with non-zero padding, the challenge is won at once (Reason.NonCanonical).
    /// @param id The challenge.
    /// @param children The children revealed in this round.
    /// @param index The child.
    function chooseChild(ChallengeId id, bytes32[] calldata children, uint256 index) external;

    /// @notice The challenger's one-step proof; resolves the challenge either way.
    /// @param id The challenge.
    /// @param proof The proof.
    function proveStep(ChallengeId id, OneStepProof calldata proof) external;

    /// @notice Resolves a challenge whose mover missed its deadline; anyone may call. A
    ///         missed roots deadline makes the job's lowest revealed challenge the winner;
    ///         a moot challenge (fraud established by a smaller id) resolves as moot.
    /// @param id The challenge.
    function timeout(ChallengeId id) external;

    /// @notice Resolves an open challenge as moot, bond back, once a challenge with a smaller
    ///         id has won; anyone may call. Settles the job if it was the last one open.
    /// @param id The challenge.
    function moot(ChallengeId id) external;

    /// @notice Settles a job's dispute once it can be settled (fraud established and no
    ///         challenge open: slash; every challenge failed and the grace period over:
    ///         release); anyone may call.
    /// @param jobId The job.
    function settle(JobId jobId) external;

    /// @notice Pays the caller's whole claimable balance to the caller.
    /// @return amount The amount paid.
    function withdraw() external returns (uint256 amount);

    /// @notice Pays the caller's whole claimable balance to `to` (for an account that cannot
    ///         receive tokens itself).
    /// @param to Where to send it, non-zero.
    /// @return amount The amount paid.
    function withdrawTo(address to) external returns (uint256 amount);

    /// @notice Tokens `account` may withdraw (docs/PROTOCOL.md §9.5).
    /// @param account The account.
    function claimable(address account) external view returns (uint256);

    /// @notice How many blocks after its commit a challenge can be revealed.
    function revealWindow() external view returns (uint256);

    /// @notice A challenge's state.
    /// @param id The challenge.
    function challengeOf(ChallengeId id) external view returns (Challenge memory);

    /// @notice A job's dispute state.
    /// @param jobId The job.
    function disputeOf(JobId jobId) external view returns (Dispute memory);

    /// @notice The phase a challenge is in now (roots phases resolved against the job).
    /// @param id The challenge.
    function phaseOf(ChallengeId id) external view returns (Phase);

    /// @notice The deadline of the current move of a challenge.
    /// @param id The challenge.
    function deadlineOf(ChallengeId id) external view returns (Timestamp);

    /// @notice Number of challenges committed so far.
    function challengeCount() external view returns (uint256);

    /// @notice The JobManager whose jobs are disputed (it freezes, releases and slashes them).
    function jobManager() external view returns (IJobManager);

    /// @notice Where models (graphRoot, node count, economic parameters) are registered.
    function registry() external view returns (IModelRegistry);

    /// @notice The one-step evaluator of the exact integer profile.
    function verifier() external view returns (IOneStepVerifier);

    /// @notice The one-step verdict of the float32 profile.
    function floatVerifier() external view returns (IFloatStepVerifier);

    /// @notice The protocol token, in which bonds are posted.
    function token() external view returns (IERC20);

    /// @notice Who receives the treasury's share of a slash.
    function treasury() external view returns (address);
}
