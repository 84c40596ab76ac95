import { Command } from "commander";
import { STRICT_FP32 } from "../float/policy.ts";
import { Profile } from "../model/modelSpec.ts";
import { compileModel, type CompiledModel } from "../onnx/compile.ts";
import { ModelValidationError } from "../onnx/errors.ts";
import { modelIdFor } from "../onnx/modelSpecFor.ts";
import type { CommandContext } from "./context.ts";
import { describeError, ExitCode, UsageError } from "./errors.ts";
import { readModelFile } from "./files.ts";
import { operandJson, specJson, specText, toJson } from "./format.ts";
import { modelSpecOptions, unsignedFlag, type ModelParamFlags } from "./modelParams.ts";
import { at } from "../tensor/at.ts";

interface InspectFlags extends ModelParamFlags {
  readonly json?: boolean;
}

/**
 * The profile verdict of model files, their nodes with shapes, graphRoot and
 * modelId. Several files are inspected in one process (one report, or one
 * error line naming the file, each); the exit code is 2 when any is refused.
 */
export function inspectCommand({ io, setExit }: CommandContext): Command {
  return withModelParamFlags(new Command("inspect"))
    .description(
      "validate ONNX files against the exact integer or the float32 profile (read from the job input) and print graphRoot and modelId",
    )
    .argument("<files...>", "ONNX model files")
    .option("--json", "print JSON (an array when several files are given)")
    .action((files: string[], flags: InspectFlags) => {
      const several = files.length > 1;
      const reports: unknown[] = [];
      let exitCode: number = ExitCode.OK;
      for (const file of files) {
        const result = inspectFile(file, flags);
        if ("error" in result) {
          const { line } = describeError(result.error);
          io.stderr(`${several ? line.replace(/^(refute: [A-Z_]+: )/, `$1${file}: `) : line}\n`);
          exitCode = ExitCode.REJECTED;
          const { name, code, message } = result.error;
          reports.push({ ...(several ? { file } : {}), profile: "rejected", error: { name, code, message } });
        } else {
          reports.push(several ? { file, ...result.report } : result.report);
          if (flags.json !== true)
            io.stdout(`${several ? `== ${file}\n` : ""}${inspectText(result.compiled, result.report)}\n`);
        }
      }
      if (flags.json === true) io.stdout(`${toJson(several ? reports : reports[0])}\n`);
      setExit(exitCode);
    });
}

type InspectResult =
  { compiled: CompiledModel; report: ReturnType<typeof inspectReport> } | { error: ModelValidationError | UsageError };

function inspectFile(file: string, flags: InspectFlags): InspectResult {
  let compiled: CompiledModel;
  try {
    compiled = compileModel(readModelFile(file));
  } catch (e) {
    if (e instanceof ModelValidationError || e instanceof UsageError) return { error: e };
    throw e;
  }
  const options = modelSpecOptions(file, flags);
  return { compiled, report: inspectReport(compiled, modelIdFor(compiled, options), options) };
}

export function withModelParamFlags(cmd: Command): Command {
  return cmd
    .option("--uri <uri>", "model URI bound by the modelId (default file://<basename>)")
    .option("--challenge-window <seconds>", "challenge window in seconds (default 600)", unsignedFlag(64))
    .option("--response-window <seconds>", "response window in seconds (default 300)", unsignedFlag(64))
    .option("--collateral <amount>", "collateral per job in token base units (default 100e18)", unsignedFlag(128))
    .option("--bond <amount>", "challenger bond in token base units (default 10e18)", unsignedFlag(128));
}

/**
 * The numerics policy a float32 model's modelId binds (docs/PROTOCOL.md §11.2), with its
 * hash; the exact integer profile has none, and its report has no such field.
 */
function numericsPolicyOf(compiled: CompiledModel) {
  if (compiled.profile !== Profile.FLOAT32) return {};
  return { numericsPolicy: { ...STRICT_FP32, hash: compiled.policyHash } };
}

export function inspectReport(compiled: CompiledModel, modelId: string, options: ReturnType<typeof modelSpecOptions>) {
  return {
    profile: compiled.profile === Profile.FLOAT32 ? "float32" : "exact-int",
    ...numericsPolicyOf(compiled),
    ops: [...new Set(compiled.onnxOpTypes)],
    graphRoot: compiled.graphRoot,
    modelId,
    fileHash: compiled.fileHash,
    opset: compiled.opset,
    irVersion: compiled.irVersion,
    input: { name: compiled.input.name, ...specJson(compiled.input) },
    output: { name: compiled.output.name, ...specJson(compiled.output) },
    nodes: compiled.nodes.map((d, i) => ({
      index: i,
      name: compiled.nodeNames[i],
      op: compiled.onnxOpTypes[i],
      opcode: d.opcode,
      inputs: d.inputs.map((o, j) => operandJson(o, at(at(compiled.inputNames, i), j))),
      output: { name: compiled.outputNames[i], ...specJson(d.output) },
      attrs: d.attrs.map(Number),
    })),
    uri: options.uri,
    params: {
      challengeWindow: options.params.challengeWindow.toString(),
      responseWindow: options.params.responseWindow.toString(),
      collateralPerJob: options.params.collateralPerJob.toString(),
      challengerBond: options.params.challengerBond.toString(),
    },
  };
}

function inspectText(compiled: CompiledModel, r: ReturnType<typeof inspectReport>): string {
  const lines = [
    `profile    ${r.profile}`,
    ...("numericsPolicy" in r && r.numericsPolicy !== undefined
      ? [
          `policy     v${r.numericsPolicy.version}: p = ${r.numericsPolicy.accumulationBits}, inputBits ${r.numericsPolicy.inputBits}, η = 2^${r.numericsPolicy.etaExponent}, k_f ${r.numericsPolicy.transcendentalUlps} (hash ${r.numericsPolicy.hash})`,
        ]
      : []),
    `opset      ${r.opset} (IR ${r.irVersion})`,
    `input      ${r.input.name}: ${specText(compiled.input)}`,
    `output     ${r.output.name}: ${specText(compiled.output)}`,
    `ops        ${r.ops.join(", ")}`,
    `nodes      ${r.nodes.length}`,
    ...compiled.nodes.map((d, i) => {
      const ins = d.inputs
        .map((o, j) => {
          const name = at(at(compiled.inputNames, i), j);
          return name === null ? "-" : o.spec.layout === 1 ? `${name} (transposed)` : name;
        })
        .join(", ");
      const attrs = d.attrs.length > 0 ? ` attrs [${d.attrs.join(",")}]` : "";
      return `  #${i} ${compiled.nodeNames[i]}: ${compiled.onnxOpTypes[i]}(${ins}) -> ${compiled.outputNames[i]}: ${specText(d.output)}${attrs}`;
    }),
    `fileHash   ${r.fileHash}`,
    `graphRoot  ${r.graphRoot}`,
    `modelId    ${r.modelId}`,
    `           (uri ${r.uri}, challengeWindow ${r.params.challengeWindow} s, responseWindow ${r.params.responseWindow} s, collateral ${r.params.collateralPerJob}, bond ${r.params.challengerBond})`,
  ];
  return lines.join("\n");
}
