// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestToken} from "../../../contracts/test/TestToken.sol";

/// @notice A TestToken with a blocklist, like the stablecoins that freeze accounts: a transfer
///         from or to a blocked address reverts. Stands in for every recipient that cannot
///         receive tokens (a blocked account, a contract that refuses them).
contract BlocklistToken is TestToken {
    mapping(address account => bool) public blocked;

    /// @notice A transfer from or to a blocked account.
    /// @param account The blocked account.
    error Blocked(address account);

    /// @notice Blocks or unblocks `account` (anyone may call: tests only).
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        require(!blocked[from], Blocked(from));
        require(!blocked[to], Blocked(to));
        super._update(from, to, value);
    }
}
