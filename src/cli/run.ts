import { Command, InvalidArgumentError, Option } from "commander";
import { bytesToHex } from "viem";
import { compileModel } from "../onnx/compile.ts";
import type { GraphOptimizationLevel } from "../trace/sessionOptions.ts";
import type { CommandContext } from "./context.ts";
import { ExitCode } from "./errors.ts";
import { readModelFile } from "./files.ts";
import { specJson, specText, toJson, valuesJson } from "./format.ts";
import { readJobInput } from "./jobInput.ts";
import { at } from "../tensor/at.ts";

interface RunFlags {
  readonly input: string;
  readonly index?: number;
  readonly json?: boolean;
  readonly threads?: number;
  readonly optLevel?: GraphOptimizationLevel;
  readonly ep?: "cpu" | "cuda";
}

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n < 1) throw new InvalidArgumentError("expected at least 1");
  return n;
}

/** Runs a model on one input and prints the output with every root of its trace. */
export function runCommand({ io, setExit }: CommandContext): Command {
  return new Command("run")
    .description("run a model on one input and print its output, node roots, traceRoot and outputRoot")
    .argument("<file>", "ONNX model file")
    .requiredOption(
      "--input <file>",
      'input: .json {"data": [...]}, .bin packed bytes, or an IDX image file with --index',
    )
    .option("--index <n>", "image index in an IDX input file", nonNegativeInt)
    .option("--json", "print JSON")
    .option("--threads <n>", "onnxruntime intra-op threads (default 1)", positiveInt)
    .addOption(
      new Option("--opt-level <level>", "onnxruntime graph optimization level (default basic)").choices([
        "disabled",
        "basic",
        "extended",
        "all",
      ]),
    )
    .addOption(new Option("--ep <provider>", "execution provider (cuda falls back to cpu)").choices(["cpu", "cuda"]))
    .action(async (file: string, flags: RunFlags) => {
      const compiled = compileModel(readModelFile(file));
      const input = readJobInput(flags.input, compiled.input, { index: flags.index });
      // Loaded only here: inspecting a model never starts onnxruntime.
      const { traceModel } = await import("../trace/trace.ts");
      const trace = await traceModel(compiled, input, {
        intraOpNumThreads: flags.threads,
        graphOptimizationLevel: flags.optLevel,
        executionProvider: flags.ep,
        onWarning: (m) => io.stderr(`refute: warning: ${m}\n`),
      });
      const report = {
        output: { name: compiled.output.name, ...specJson(compiled.output), values: valuesJson(trace.output) },
        outputPacked: bytesToHex(trace.outputPacked),
        inputRoot: trace.inputRoot,
        nodeRoots: trace.nodeRoots.map((root, i) => ({ index: i, name: at(compiled.nodeNames, i), root })),
        traceRoot: trace.traceRoot,
        outputRoot: trace.outputRoot,
        graphRoot: compiled.graphRoot,
        provider: trace.provider,
      };
      if (flags.json === true) {
        io.stdout(`${toJson(report)}\n`);
      } else {
        const width = compiled.nodeNames.reduce((w, n) => Math.max(w, n.length), 0);
        io.stdout(
          [
            `output     ${compiled.output.name}: ${specText(compiled.output)} = [${report.output.values.join(", ")}]`,
            `inputRoot  ${trace.inputRoot}`,
            `nodeRoots`,
            ...report.nodeRoots.map((r) => `  #${r.index} ${r.name.padEnd(width)} ${r.root}`),
            `traceRoot  ${trace.traceRoot}`,
            `outputRoot ${trace.outputRoot}`,
            "",
          ].join("\n"),
        );
      }
      setExit(ExitCode.OK);
    });
}
