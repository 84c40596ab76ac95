// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IJobManager} from "../../../contracts/interfaces/IJobManager.sol";
import {IRefuteConsumer} from "../../../contracts/interfaces/IRefuteConsumer.sol";
import {JobId, JobStatus, ModelId, Timestamp} from "../../../contracts/libraries/Types.sol";

/// @notice Requests jobs as a contract, so that it is the requester the JobManager calls back.
abstract contract ConsumerBase is IRefuteConsumer {
    IJobManager internal immutable jobs;

    constructor(IJobManager jobs_) {
        jobs = jobs_;
        IERC20(address(jobs_.token())).approve(address(jobs_), type(uint256).max);
    }

    function requestJob(ModelId model, bytes calldata input, uint256 fee, Timestamp deadline) external returns (JobId) {
        return jobs.request(model, input, fee, deadline, true);
    }
}

/// @notice Records every callback.
contract RecordingConsumer is ConsumerBase {
    uint256 public calls;
    JobId public lastJob;
    JobStatus public lastStatus;
    bytes public lastOutput;
    address public lastCaller;

    constructor(IJobManager jobs_) ConsumerBase(jobs_) {}

    function onRefuteResult(JobId jobId, JobStatus status, bytes calldata output) external {
        ++calls;
        lastJob = jobId;
        lastStatus = status;
        lastOutput = output;
        lastCaller = msg.sender;
    }
}

/// @notice Always reverts.
contract RevertingConsumer is ConsumerBase {
    constructor(IJobManager jobs_) ConsumerBase(jobs_) {}

    function onRefuteResult(JobId, JobStatus, bytes calldata) external pure {
        revert("no thanks");
    }
}

/// @notice Burns every unit of gas it is given.
contract GasBurningConsumer is ConsumerBase {
    uint256 public counter;

    constructor(IJobManager jobs_) ConsumerBase(jobs_) {}

    function onRefuteResult(JobId, JobStatus, bytes calldata) external {
        while (true) {
            ++counter;
        }
    }
}

/// @notice Succeeds but returns a huge buffer (a return bomb for callers that copy it).
contract ReturnBombConsumer is ConsumerBase {
    uint256 public immutable size;

    constructor(IJobManager jobs_, uint256 size_) ConsumerBase(jobs_) {
        size = size_;
    }

    function onRefuteResult(JobId, JobStatus, bytes calldata) external view {
        uint256 n = size;
        assembly {
            return(0, n)
        }
    }
}

/// @notice Reverts with a huge revert buffer.
contract RevertBombConsumer is ConsumerBase {
    constructor(IJobManager jobs_) ConsumerBase(jobs_) {}

    function onRefuteResult(JobId, JobStatus, bytes calldata) external pure {
        assembly {
            revert(0, 150000)
        }
    }
}

/// @notice Re-enters the JobManager from its callback: tries to finalize the same job
///         again (must fail) and requests its next job (must work).
contract ReentrantConsumer is ConsumerBase {
    ModelId internal immutable model;
    bytes internal input;
    bool public refinalizeSucceeded;
    JobId public nextJob;

    constructor(IJobManager jobs_, ModelId model_, bytes memory input_) ConsumerBase(jobs_) {
        model = model_;
        input = input_;
    }

    function onRefuteResult(JobId jobId, JobStatus, bytes calldata) external {
        (refinalizeSucceeded, ) = address(jobs).call(abi.encodeCall(IJobManager.finalize, (jobId)));
        nextJob = jobs.request(model, input, 0, Timestamp.wrap(uint64(block.timestamp) + 1 hours), false);
    }
}
