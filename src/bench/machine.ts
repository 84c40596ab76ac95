/** The machine a benchmark ran on, read at run time (nothing hard-coded). */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, cpus, freemem, loadavg, platform, release, totalmem } from "node:os";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly logicalCores: number;
  /** From os.availableParallelism (what Node may use; cgroup limits apply). */
  readonly availableParallelism: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  /** 1-minute load average when the run started (the box is shared). */
  readonly loadAverage1m: number;
  readonly os: string;
  readonly node: string;
  readonly onnxruntimeNode: string;
  readonly viem: string;
  readonly anvil: string | null;
  readonly gitCommit: string | null;
  /** ISO-8601 start of the run. */
  readonly date: string;
}

const GIB = 1024 ** 3;

export function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

function gitCommit(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty =
      execFileSync("git", ["status", "--porcelain"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim() !== "";
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

function anvilVersion(binary: string | undefined): string | null {
  if (binary === undefined) return null;
  try {
    return execFileSync(binary, ["--version"], { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .split("\n")[0]
      ?.trim() ?? null;
  } catch {
    return null;
  }
}

export function describeMachine(anvilBinary?: string): MachineInfo {
  const cores = cpus();
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    logicalCores: cores.length,
    availableParallelism: availableParallelism(),
    memoryGiB: r(totalmem() / GIB),
    freeMemoryGiB: r(freemem() / GIB),
    loadAverage1m: r(loadavg()[0] ?? 0), // [0, 0, 0] where the OS has no load average
    os: `${platform()} ${release()}`,
    node: process.version,
    onnxruntimeNode: packageVersion("onnxruntime-node"),
    viem: packageVersion("viem"),
    anvil: anvilVersion(anvilBinary),
    gitCommit: gitCommit(),
    date: new Date().toISOString(),
  };
}
