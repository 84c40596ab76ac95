// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IModelRegistry} from "../../contracts/interfaces/IModelRegistry.sol";
import {Duration, LibModelId, ModelId, ModelParams, ModelSpec, TensorSpec} from "../../contracts/libraries/Types.sol";
import {FloatPolicy, NumericsPolicy} from "../../contracts/ops/float/FloatPolicy.sol";
import {RefuteFixture} from "./utils/RefuteFixture.sol";

contract ModelRegistryTest is RefuteFixture {
    ModelSpec internal spec;

    function setUp() public override {
        super.setUp();
        spec = modelSpec(2, _shape1(4), 7, _shape1(1));
    }

    function _expectRegisterRevert(bytes memory err) internal {
        vm.expectRevert(err);
        registry.register(spec);
    }

    // ------------------------------------------------------------ register

    function test_register_validSpec_storesAndEmits() public {
        ModelId expected = ModelId.wrap(keccak256(abi.encode(spec)));
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelRegistered(expected, address(this), spec.fileHash, spec.graphRoot, spec.uri);
        ModelId id = registry.register(spec);
        assertEq(id.raw(), expected.raw());
        assertEq(id.raw(), LibModelId.fromSpec(spec).raw());
        assertTrue(registry.exists(id));
        assertEq(keccak256(abi.encode(registry.model(id))), keccak256(abi.encode(spec)), "round trip");
        ModelParams memory p = registry.params(id);
        assertEq(p.challengeWindow.raw(), WINDOW);
        assertEq(p.responseWindow.raw(), RESPONSE);
        assertEq(p.collateralPerJob, COLLATERAL);
        assertEq(p.challengerBond, BOND);
        (TensorSpec memory input, ModelParams memory p2) = registry.inputSpec(id);
        assertEq(keccak256(abi.encode(input)), keccak256(abi.encode(spec.input)));
        assertEq(keccak256(abi.encode(p2)), keccak256(abi.encode(p)));
        (TensorSpec memory output, ModelParams memory p3) = registry.outputSpec(id);
        assertEq(keccak256(abi.encode(output)), keccak256(abi.encode(spec.output)));
        assertEq(keccak256(abi.encode(p3)), keccak256(abi.encode(p)));
    }

    function test_register_modelId_isAbiEncodingHash() public view {
        // Independent of Solidity's struct encoder: the head/tail layout of PROTOCOL.md §7
        // written out by hand for input uint8[4], output int64[1].
        bytes memory enc = abi.encode(
            uint256(0x20), // a dynamic struct is encoded behind its offset
            spec.fileHash,
            spec.graphRoot,
            uint256(spec.nodeCount),
            uint256(spec.profile),
            spec.policyHash,
            uint256(12 * 32), // input offset (head is 12 words)
            uint256(12 * 32 + 5 * 32), // output offset
            uint256(12 * 32 + 10 * 32), // uri offset
            uint256(WINDOW),
            uint256(RESPONSE),
            uint256(COLLATERAL),
            uint256(BOND)
        );
        enc = bytes.concat(
            enc,
            abi.encode(uint256(2), uint256(0), uint256(0x60), uint256(1), uint256(4)),
            abi.encode(uint256(7), uint256(0), uint256(0x60), uint256(1), uint256(1)),
            abi.encode(uint256(12), bytes32("ipfs://model"))
        );
        assertEq(keccak256(enc), keccak256(abi.encode(spec)));
    }

    function test_register_duplicate_reverts() public {
        ModelId id = registry.register(spec);
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ModelAlreadyRegistered.selector, id));
    }

    function test_register_differentUri_newModel() public {
        ModelId a = registry.register(spec);
        spec.uri = "ipfs://other";
        ModelId b = registry.register(spec);
        assertTrue(a.raw() != b.raw());
    }

    function testFuzz_register_otherProfile_reverts(uint8 profile) public {
        vm.assume(profile != 1 && profile != 2);
        spec.profile = profile;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.UnsupportedProfile.selector, profile));
    }

    // ------------------------------------------------------- profiles and policies

    /// @dev A float32 model: float input [1, 4], float logits [1, 3], strict fp32 policy.
    function _floatSpec() internal view returns (ModelSpec memory s) {
        s = spec;
        s.profile = 2;
        s.policyHash = FloatPolicy.hash(FloatPolicy.strictFp32());
        s.input = TensorSpec({dtype: 1, layout: 0, shape: _shape2(1, 4)});
        s.output = TensorSpec({dtype: 1, layout: 0, shape: _shape2(1, 3)});
    }

    function test_register_float32StrictPolicy_succeeds() public {
        spec = _floatSpec();
        // The hash PROTOCOL.md §11.2 fixes for (1, 24, 0, −124, 0), written out independently.
        assertEq(spec.policyHash, keccak256(abi.encode(uint8(1), uint8(24), uint8(0), int16(-124), uint16(0))));
        ModelId id = registry.register(spec);
        assertTrue(registry.exists(id));
        assertEq(registry.model(id).policyHash, spec.policyHash);
        assertEq(id.raw(), keccak256(abi.encode(spec)), "modelId binds the policy");
    }

    function test_register_float32ArgMaxOutput_succeeds() public {
        spec = _floatSpec();
        spec.output = TensorSpec({dtype: 7, layout: 0, shape: _shape1(1)});
        assertTrue(registry.exists(registry.register(spec)));
    }

    function test_register_integerProfileWithPolicy_reverts() public {
        spec.policyHash = FloatPolicy.hash(FloatPolicy.strictFp32());
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.UnsupportedPolicy.selector, uint8(1), spec.policyHash)
        );
    }

    function test_register_float32WithoutPolicy_reverts() public {
        spec = _floatSpec();
        spec.policyHash = bytes32(0);
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.UnsupportedPolicy.selector, uint8(2), bytes32(0)));
    }

    function test_register_float32OtherPolicy_reverts() public {
        spec = _floatSpec();
        // Valid for the float checks' version 1 (η = 2⁻¹²⁰), but not the policy this deployment binds.
        spec.policyHash = FloatPolicy.hash(NumericsPolicy(1, 24, 0, -120, 0));
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.UnsupportedPolicy.selector, uint8(2), spec.policyHash)
        );
    }

    function testFuzz_register_float32InputDtype_mustBeFloat(uint8 dtype) public {
        spec = _floatSpec();
        spec.input.dtype = dtype;
        if (dtype == 1) {
            registry.register(spec);
        } else {
            _expectRegisterRevert(
                abi.encodeWithSelector(IModelRegistry.UnsupportedDtype.selector, IModelRegistry.TensorRole.Input, dtype)
            );
        }
    }

    function test_register_integerProfileFloatInput_reverts() public {
        spec.input.dtype = 1;
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.UnsupportedDtype.selector, IModelRegistry.TensorRole.Input, uint8(1))
        );
    }

    function test_register_zeroNodes_reverts() public {
        spec.nodeCount = 0;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ZeroNodeCount.selector));
    }

    function test_register_zeroChallengeWindow_reverts() public {
        spec.params.challengeWindow = Duration.wrap(0);
        _expectRegisterRevert(
            abi.encodeWithSelector(
                IModelRegistry.ChallengeWindowOutOfRange.selector,
                Duration.wrap(0),
                Duration.wrap(MAX_CHALLENGE_WINDOW)
            )
        );
    }

    function testFuzz_register_challengeWindow_boundedByCap(uint64 window) public {
        spec.params.challengeWindow = Duration.wrap(window);
        if (window == 0 || window > MAX_CHALLENGE_WINDOW) {
            _expectRegisterRevert(
                abi.encodeWithSelector(
                    IModelRegistry.ChallengeWindowOutOfRange.selector,
                    Duration.wrap(window),
                    Duration.wrap(MAX_CHALLENGE_WINDOW)
                )
            );
        } else {
            ModelId id = registry.register(spec);
            assertEq(registry.params(id).challengeWindow.raw(), window);
        }
    }

    function _responseWindowOutOfRange(uint64 window) internal pure returns (bytes memory) {
        return
            abi.encodeWithSelector(
                IModelRegistry.ResponseWindowOutOfRange.selector,
                Duration.wrap(window),
                Duration.wrap(MIN_RESPONSE_WINDOW),
                Duration.wrap(MAX_RESPONSE_WINDOW)
            );
    }

    function test_register_zeroResponseWindow_reverts() public {
        spec.params.responseWindow = Duration.wrap(0);
        _expectRegisterRevert(_responseWindowOutOfRange(0));
    }

    function test_register_responseWindowBelowTheMinimum_reverts() public {
        spec.params.responseWindow = Duration.wrap(MIN_RESPONSE_WINDOW - 1);
        _expectRegisterRevert(_responseWindowOutOfRange(MIN_RESPONSE_WINDOW - 1));
        spec.params.responseWindow = Duration.wrap(1);
        _expectRegisterRevert(_responseWindowOutOfRange(1));
    }

    function test_register_responseWindowAtTheMinimum_succeeds() public {
        spec.params.responseWindow = Duration.wrap(MIN_RESPONSE_WINDOW);
        ModelId id = registry.register(spec);
        assertEq(registry.params(id).responseWindow.raw(), MIN_RESPONSE_WINDOW);
    }

    function testFuzz_register_responseWindow_boundedByMinAndCap(uint64 window) public {
        spec.params.responseWindow = Duration.wrap(window);
        if (window < MIN_RESPONSE_WINDOW || window > MAX_RESPONSE_WINDOW) {
            _expectRegisterRevert(_responseWindowOutOfRange(window));
        } else {
            registry.register(spec);
        }
    }

    function test_register_windowsAtCaps_succeeds() public {
        spec.params.challengeWindow = Duration.wrap(MAX_CHALLENGE_WINDOW);
        spec.params.responseWindow = Duration.wrap(MAX_RESPONSE_WINDOW);
        assertTrue(registry.exists(registry.register(spec)));
    }

    function test_register_zeroCollateral_reverts() public {
        spec.params.collateralPerJob = 0;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ZeroCollateral.selector));
    }

    function test_register_zeroBond_reverts() public {
        spec.params.challengerBond = 0;
        _expectRegisterRevert(abi.encodeWithSelector(IModelRegistry.ZeroChallengerBond.selector));
    }

    function testFuzz_register_inputDtype_mustBeIntegerType(uint8 dtype) public {
        spec.input.dtype = dtype;
        if (dtype == 2 || dtype == 3 || dtype == 6 || dtype == 7) {
            registry.register(spec);
        } else {
            _expectRegisterRevert(
                abi.encodeWithSelector(IModelRegistry.UnsupportedDtype.selector, IModelRegistry.TensorRole.Input, dtype)
            );
        }
    }

    function testFuzz_register_outputDtype_mustBeIntegerType(uint8 dtype) public {
        vm.assume(dtype != 2 && dtype != 3 && dtype != 6 && dtype != 7);
        spec.output.dtype = dtype;
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.UnsupportedDtype.selector, IModelRegistry.TensorRole.Output, dtype)
        );
    }

    function test_register_transposedInput_reverts() public {
        spec.input = TensorSpec({dtype: 3, layout: 1, shape: _shape2(2, 2)});
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.NotRowMajor.selector, IModelRegistry.TensorRole.Input, 1)
        );
    }

    function test_register_transposedOutput_reverts() public {
        spec.output = TensorSpec({dtype: 6, layout: 1, shape: _shape2(2, 2)});
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.NotRowMajor.selector, IModelRegistry.TensorRole.Output, 1)
        );
    }

    function test_register_zeroInputDimension_reverts() public {
        spec.input.shape = _shape2(3, 0);
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.ZeroDimension.selector, IModelRegistry.TensorRole.Input, 1)
        );
    }

    function test_register_zeroOutputDimension_reverts() public {
        spec.output.shape = _shape2(0, 3);
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.ZeroDimension.selector, IModelRegistry.TensorRole.Output, 0)
        );
    }

    function test_register_tooManyElements_reverts() public {
        uint32[] memory shape = new uint32[](3);
        (shape[0], shape[1], shape[2]) = (1 << 13, 1 << 13, 2);
        spec.output.shape = shape;
        _expectRegisterRevert(
            abi.encodeWithSelector(IModelRegistry.TooManyElements.selector, IModelRegistry.TensorRole.Output, 1 << 27)
        );
    }

    function test_register_maxElements_succeeds() public {
        spec.output.shape = _shape2(1 << 13, 1 << 13);
        registry.register(spec);
    }

    function test_register_scalarTensors_succeeds() public {
        spec.input.shape = new uint32[](0);
        spec.output.shape = new uint32[](0);
        ModelId id = registry.register(spec);
        assertEq(registry.model(id).output.shape.length, 0);
    }

    // ------------------------------------------------------------ views

    function test_constructor_readsCapsFromStakeManager() public view {
        assertEq(address(registry.stakeManager()), address(stakes));
    }

    function test_model_unknown_reverts() public {
        ModelId id = ModelId.wrap(keccak256("nope"));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, id));
        registry.model(id);
    }

    function test_params_unknown_reverts() public {
        ModelId id = ModelId.wrap(keccak256("nope"));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, id));
        registry.params(id);
    }

    function test_inputSpec_unknown_reverts() public {
        ModelId id = ModelId.wrap(keccak256("nope"));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, id));
        registry.inputSpec(id);
    }

    function test_outputSpec_unknown_reverts() public {
        ModelId id = ModelId.wrap(keccak256("nope"));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, id));
        registry.outputSpec(id);
    }

    function test_exists_unknown_false() public view {
        assertFalse(registry.exists(ModelId.wrap(keccak256("nope"))));
    }
}
