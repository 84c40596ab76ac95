/** The float-noise section of bench/RESULTS.md: rendered from the JSON's figures, inserted once and replaced in place. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  renderFloatNoiseSection,
  SECTION_END,
  SECTION_START,
  withFloatNoiseSection,
  type FloatNoiseReport,
} from "../../src/bench/floatNoiseReport.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const report = JSON.parse(readFileSync(join(ROOT, "bench", "float-noise.json"), "utf8")) as FloatNoiseReport;

test("the section quotes the committed JSON's figures", () => {
  const section = renderFloatNoiseSection(report);
  const dot = report.traces.perFamily["dot"]!;
  assert.ok(section.includes(`| dot | ${dot.elements.toLocaleString("en-US")} | ${dot.exceedances} |`));
  for (const c of ["0.5", "1.1", "2", "10"]) {
    const d = report.detection[c] as { flaggedRate: number };
    assert.match(section, new RegExp(`\\| ${c.replace(".", "\\.")} \\| ${d.flaggedRate} \\|`));
  }
  assert.ok(!/NaN|undefined/.test(section));
});

test("the section goes before Reproduce once, and a second render replaces it", () => {
  const md = "# Results\n\n## Gas\n\nfigures\n\n## Reproduce\n\nsteps\n";
  const once = withFloatNoiseSection(md, `${SECTION_START}\nfirst\n${SECTION_END}`);
  assert.ok(once.indexOf("first") < once.indexOf("## Reproduce"));
  const twice = withFloatNoiseSection(once, `${SECTION_START}\nsecond\n${SECTION_END}`);
  assert.ok(twice.includes("second") && !twice.includes("first"));
  assert.equal(twice.split(SECTION_START).length, 2);
  assert.ok(readFileSync(join(ROOT, "bench", "RESULTS.md"), "utf8").includes(renderFloatNoiseSection(report)));
});
