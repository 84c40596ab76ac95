// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The numerics policy of the float profile (docs/PROTOCOL.md §11.2).
/// @param version Layout version: 1.
/// @param accumulationBits p, with u = 2^−p: 24 for binary32 rounded to nearest.
/// @param inputBits Precision the multiplier's operands are rounded to, 0 for none (reserved: 0).
/// @param etaExponent η = 2^etaExponent, the absolute floor per accumulated term.
/// @param transcendentalUlps k_f for transcendental functions (reserved: 0).
struct NumericsPolicy {
    uint8 version;
    uint8 accumulationBits;
    uint8 inputBits;
    int16 etaExponent;
    uint16 transcendentalUlps;
}

/// @title FloatPolicy
/// @notice Validation and hash of a {NumericsPolicy}. The TypeScript twin is src/float/policy.ts.
library FloatPolicy {
    /// @notice A policy version 1 cannot check (the bounds are proven for p = 24 with unrounded
    ///         operands, and η must lie in [2⁻¹⁴⁹, 2⁻¹⁰⁰]).
    /// @param policyHash keccak256(abi.encode(policy)).
    error UnsupportedPolicy(bytes32 policyHash);

    /// @notice keccak256(abi.encode(policy)): what a model registration binds.
    function hash(NumericsPolicy memory policy) internal pure returns (bytes32) {
        return keccak256(abi.encode(policy));
    }

    /// @notice Strict fp32: p = 24, no operand rounding, η = 2⁻¹²⁴, no transcendental operator.
    function strictFp32() internal pure returns (NumericsPolicy memory) {
        return NumericsPolicy(1, 24, 0, -124, 0);
    }

    function validate(NumericsPolicy memory policy) internal pure {
        bool ok =
            policy.version == 1 &&
                policy.accumulationBits == 24 &&
                policy.inputBits == 0 &&
                policy.transcendentalUlps == 0 &&
                policy.etaExponent >= -149 &&
                policy.etaExponent <= -100;
        if (!ok) revert UnsupportedPolicy(hash(policy));
    }
}
