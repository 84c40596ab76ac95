/**
 * The float-noise section of bench/RESULTS.md, rendered from bench/float-noise.json so that
 * every figure quoted is the JSON's own. `npm run bench:float-noise` puts it in place
 * (between its markers, before "## Reproduce"), and `npm run bench`, which renders the
 * rest of the page from bench/results.json, renders it again from the JSON beside it.
 */

export const SECTION_START = "<!-- float-noise: rendered from bench/float-noise.json by npm run bench:float-noise -->";
export const SECTION_END = "<!-- /float-noise -->";

interface Tally {
  readonly elements: number;
  readonly exceedances: number;
  readonly maxErrOverBound: number;
}

export interface FloatNoiseReport {
  readonly generated: string;
  readonly machine: { readonly cpuModel: string; readonly logicalCores: number; readonly loadAverage1m: number; readonly gitCommit: string | null };
  readonly onnxruntimeNode: string;
  readonly inputs: { readonly images: number; readonly source: string };
  readonly models: readonly { readonly name: string; readonly ops: readonly string[] }[];
  readonly configurations: readonly unknown[];
  readonly traces: {
    readonly perFamily: Readonly<Record<string, Tally & { readonly deferred: number }>>;
    readonly elementsDifferingFromFirstConfiguration: Readonly<Record<string, Readonly<Record<string, number>>>>;
    readonly checker: { readonly elementsPerSecond: Readonly<Record<string, number>> };
  };
  readonly simulations: {
    readonly realOperands: Readonly<Record<string, Tally>>;
    readonly adversarial: { readonly k: readonly number[]; readonly results: Readonly<Record<string, Readonly<Record<string, Tally>>>> };
  };
  readonly detection: Readonly<Record<string, unknown>>;
  readonly elapsedSeconds: { readonly total: number };
}

const n = (x: number) => x.toLocaleString("en-US");
const r = (x: number) => (x === 0 ? "0" : x < 1e-3 ? x.toExponential(1) : x.toFixed(3));

export function renderFloatNoiseSection(j: FloatNoiseReport): string {
  const lines: string[] = [SECTION_START, "## Float profile: honest noise against the bound", ""];
  lines.push(
    `\`${j.generated}\` → bench/float-noise.json (${j.machine.cpuModel}, ${j.machine.logicalCores} cores, load ${j.machine.loadAverage1m}, onnxruntime-node ${j.onnxruntimeNode}, commit ${j.machine.gitCommit ?? "unknown"}; ${j.elapsedSeconds.total} s).`,
    `Models: ${j.models.map((m) => `${m.name} (${m.ops.join(", ")})`).join("; ")}. Inputs: ${j.inputs.source}. Each model traced under ${j.configurations.length} configurations (1 and 2 intra-op threads × graph optimization disabled/basic/extended/all), every node checked against its own inputs by src/float/check.`,
    "",
    "| op family | elements checked | exceedances | maxErrOverBound | deferred to the exact rule | checker elements/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const [family, t] of Object.entries(j.traces.perFamily)) {
    lines.push(
      `| ${family} | ${n(t.elements)} | ${t.exceedances} | ${r(t.maxErrOverBound)} | ${t.deferred} | ${n(j.traces.checker.elementsPerSecond[family] ?? 0)} |`,
    );
  }
  const changed = Object.entries(j.traces.elementsDifferingFromFirstConfiguration)
    .filter(([, f]) => Object.values(f).some((x) => x > 0))
    .map(([c, f]) => `${c}: ${Object.entries(f).filter(([, x]) => x > 0).map(([k, x]) => `${k} ${n(x)}`).join(", ")}`);
  lines.push(
    "",
    `Elements whose bits differ from the first configuration's: ${changed.length === 0 ? "none" : changed.join("; ")}.`,
    "",
    "Simulated executions of dot-product elements (exact fp32 roundings), maxErrOverBound (exceedances):",
    "",
    `| execution | real operands | ${Object.keys(j.simulations.adversarial.results).join(" | ")} |`,
    `| --- | ---: | ${Object.keys(j.simulations.adversarial.results).map(() => "---:").join(" | ")} |`,
  );
  for (const [execution, t] of Object.entries(j.simulations.realOperands)) {
    const adv = Object.values(j.simulations.adversarial.results).map((set) => {
      const s = set[execution];
      return s === undefined ? "" : `${r(s.maxErrOverBound)} (${s.exceedances})`;
    });
    lines.push(`| ${execution} | ${r(t.maxErrOverBound)} (${t.exceedances}) | ${adv.join(" | ")} |`);
  }
  const first = Object.values(j.simulations.realOperands)[0];
  const firstSet = Object.values(Object.values(j.simulations.adversarial.results)[0] ?? {})[0];
  lines.push(
    "",
    `${n(first?.elements ?? 0)} real elements per execution; ${n(firstSet?.elements ?? 0)} adversarial elements per set and execution (K = ${j.simulations.adversarial.k.join(", ")}).`,
    "",
    "Detection: one element of a real node output moved c·B from the exact value.",
    "",
    "| c | flaggedRate | flagged / trials |",
    "| ---: | ---: | ---: |",
  );
  // c in increasing order (object keys that look like integers would come first), then the exact operators
  const order = (k: string) => (k === "exactOneUlp" ? Infinity : Number(k));
  const rows = Object.entries(j.detection)
    .filter(([k, v]) => order(k) > 0 && v !== null && typeof v === "object" && "flaggedRate" in v)
    .sort(([a], [b]) => order(a) - order(b));
  for (const [c, v] of rows) {
    const d = v as { flaggedRate: number; flagged: number; trials: number };
    lines.push(`| ${c === "exactOneUlp" ? "exact ops, 1 ulp" : c} | ${d.flaggedRate} | ${n(d.flagged)} / ${n(d.trials)} |`);
  }
  lines.push("", SECTION_END);
  return lines.join("\n");
}

/** RESULTS.md with the section replaced, or inserted before "## Reproduce" (else appended). */
export function withFloatNoiseSection(markdown: string, section: string): string {
  const start = markdown.indexOf(SECTION_START);
  const end = markdown.indexOf(SECTION_END);
  if (start >= 0 && end > start) return markdown.slice(0, start) + section + markdown.slice(end + SECTION_END.length);
  const reproduce = markdown.indexOf("## Reproduce");
  if (reproduce >= 0) return `${markdown.slice(0, reproduce)}${section}\n\n${markdown.slice(reproduce)}`;
  return `${markdown.trimEnd()}\n\n${section}\n`;
}
