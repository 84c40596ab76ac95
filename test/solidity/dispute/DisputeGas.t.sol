// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {console} from "forge-std/console.sol";
import {ChallengeId} from "../../../contracts/interfaces/IDisputeGame.sol";
import {JobId, Timestamp} from "../../../contracts/libraries/Types.sol";
import {DisputeData} from "./DisputeData.sol";
import {DisputeFixture} from "./DisputeFixture.sol";

/// @notice Gas of the dispute game's entry points, logged for development (nothing asserted:
///         `DisputeAttacks.t.sol` holds the settlement gas constant in the number of
///         challenges). Each figure is the gasleft() delta around one call made in its own
///         test, after a setUp, so the storage it reads is cold as in a real transaction.
contract DisputeGasTest is DisputeFixture {
    JobId internal toCommit;
    JobId internal toReveal;
    ChallengeId internal revealC;
    JobId internal toSlash;
    ChallengeId internal slashC;
    JobId internal toRelease;
    ChallengeId internal toForfeit;

    function setUp() public override {
        super.setUp();
        DisputeData.Run memory honest = DisputeData.run(7, DisputeData.Fault.None);
        DisputeData.Run memory wrong = DisputeData.run(7, DisputeData.Fault.WrongOutput);
        toCommit = _job(honest);
        toSlash = _job(wrong);
        slashC = _challenge(toSlash, alice);
        toRelease = _job(honest);
        ChallengeId r = _challenge(toRelease, bob);
        _postRoots(toRelease, honest);
        vm.warp(_deadline(r) + 1);
        game.timeout(r);
        vm.warp(Timestamp.unwrap(game.disputeOf(toRelease).graceEnd));
        toForfeit = _commit(_job(honest), bob);
        vm.roll(block.number + REVEAL_WINDOW + 1);
        toReveal = _job(honest);
        revealC = _commit(toReveal, alice);
        vm.roll(block.number + 1);
    }

    function test_gas_commitChallenge() public {
        bytes32 commitment = _commitment(toCommit, alice, _salt(alice));
        vm.prank(alice);
        uint256 g = gasleft();
        game.commitChallenge(model, commitment);
        g -= gasleft();
        console.log("commitChallenge", g);
    }

    function test_gas_revealChallenge() public {
        bytes32 h = _commitmentHash(toReveal);
        bytes32 salt = _salt(alice);
        vm.prank(alice);
        uint256 g = gasleft();
        game.revealChallenge(revealC, toReveal, h, salt);
        g -= gasleft();
        console.log("revealChallenge (first)", g);
    }

    function test_gas_settleFraud_rootsTimeout() public {
        uint256 g = gasleft();
        game.timeout(slashC);
        g -= gasleft();
        console.log("timeout (roots) + slash", g);
    }

    function test_gas_settleRelease() public {
        uint256 g = gasleft();
        game.settle(toRelease);
        g -= gasleft();
        console.log("settle (release)", g);
    }

    function test_gas_forfeitCommitment() public {
        uint256 g = gasleft();
        game.forfeitCommitment(toForfeit);
        g -= gasleft();
        console.log("forfeitCommitment", g);
    }

    function test_gas_withdraw() public {
        game.settle(toRelease);
        vm.cool(address(game));
        vm.cool(address(token));
        vm.prank(provider);
        uint256 g = gasleft();
        game.withdraw();
        g -= gasleft();
        console.log("withdraw", g);
    }
}
