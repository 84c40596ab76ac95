import type { ReplayReport } from "./replay.ts";

/**
 * The story of a replay for a terminal: the job, each step with its checks, the
 * challenges, then the verdicts. Marks: ✓ a check that holds; ! an honesty check that
 * fails (a finding about a party: a wrong output, a bad move); ✗ a rule check that fails
 * (the chain accepted a move the reference rejects).
 */
export function renderReplay(r: ReplayReport): string {
  const lines: string[] = [];
  lines.push(`job ${r.jobId}: ${r.status}${r.frozen ? " (frozen by a dispute)" : ""}`);
  if (r.model !== undefined) {
    lines.push(`model      ${r.modelId ?? "?"}`);
    lines.push(`           ${r.model.uri} → ${r.model.source} (file hash and graph match the registration)`);
  }
  if (r.honest !== undefined) {
    lines.push(`re-run     output [${r.honest.output.join(", ")}]${r.honest.label ? ` (${r.honest.label})` : ""}`);
    lines.push(`           outputRoot ${r.honest.outputRoot}`);
    lines.push(`           traceRoot ${r.honest.traceRoot}`);
  }
  if (r.committed !== undefined) {
    lines.push(
      `committed  output [${r.committed.output.join(", ")}]${r.committed.label ? ` (${r.committed.label})` : ""} by ${r.provider ?? "?"}`,
    );
    lines.push(`           outputRoot ${r.committed.outputRoot}`);
  }
  lines.push("", "steps");
  const t0 = r.steps[0]?.timestamp ?? 0;
  for (const s of r.steps) {
    const at = `t+${s.timestamp - t0}s`.padEnd(8);
    lines.push(
      `  ${String(s.index).padStart(2)}  block ${String(s.block).padEnd(6)} ${at} ${s.actor.padEnd(10)} ${s.text}`,
    );
    for (const c of s.checks) {
      const mark = c.ok ? "✓" : c.kind === "rule" ? "✗ RULE" : "!";
      lines.push(`${" ".repeat(14)}${mark} ${c.detail}`);
    }
  }
  if (r.challenges.length > 0) {
    lines.push("", "challenges");
    for (const c of r.challenges) {
      const state =
        c.outcome !== undefined
          ? `${c.outcome} (${c.reason ?? "?"})`
          : `${c.phase}${c.next ? `, ${c.next.mover} to move by ${new Date(c.next.deadline * 1000).toISOString()}` : ""}`;
      const ok = c.outcome === undefined || c.outcome === "Moot" ? "" : c.outcome === c.shouldBe ? " ✓" : " !";
      lines.push(`  #${c.id} by ${c.challenger}: ${state}; should be ${c.shouldBe}${ok}`);
    }
  }
  lines.push("");
  lines.push(`verdict        ${r.verdict}: ${r.verdictReason}`);
  lines.push(`chain verdict  ${r.chainVerdict}${r.shouldWin ? ` (the ${r.shouldWin} should win)` : ""}`);
  lines.push(`agrees         ${r.agrees === null ? "not decided yet" : r.agrees ? "yes" : "NO"}`);
  if (r.ruleViolations > 0) lines.push(`rule checks    ${r.ruleViolations} FAILED`);
  lines.push("", r.summary, "");
  return lines.join("\n");
}
