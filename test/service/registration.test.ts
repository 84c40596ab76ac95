/**
 * A daemon serves or checks a model only when the file compiles to its registration:
 * the profile and, for float32, the numerics policy's hash are part of it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NO_POLICY, Profile } from "../../src/model/modelSpec.ts";
import { compileModel, type CompiledModel } from "../../src/onnx/compile.ts";
import { registrationProblems, type RegisteredModel } from "../../src/service/registration.ts";
import { floatMlp } from "../onnx/floatModels.ts";
import { mlpModel } from "../onnx/models.ts";

function registrationOf(c: CompiledModel): RegisteredModel {
  return {
    fileHash: c.fileHash,
    graphRoot: c.graphRoot,
    nodeCount: c.nodes.length,
    profile: c.profile,
    policyHash: c.policyHash,
    input: c.input,
    output: c.output,
    uri: "file://m.onnx",
    params: { challengeWindow: 600n, responseWindow: 300n, collateralPerJob: 1n, challengerBond: 1n },
  };
}

describe("registrationProblems", () => {
  const float = compileModel(floatMlp());
  const int = compileModel(mlpModel());

  it("accepts a float32 file registered as float32 under the strict policy, and an integer one as before", () => {
    assert.deepEqual(registrationProblems(registrationOf(float), float), []);
    assert.deepEqual(registrationProblems(registrationOf(int), int), []);
  });

  it("refuses a file of another profile than the registration's", () => {
    const problems = registrationProblems({ ...registrationOf(int), profile: Profile.FLOAT32 }, int);
    assert.deepEqual(problems, ["profile 2 registered, the file is a profile 1 model"]);
  });

  it("refuses a float32 registration under another policy hash", () => {
    const problems = registrationProblems({ ...registrationOf(float), policyHash: NO_POLICY }, float);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^policyHash 0x0{64} registered/);
  });
});
