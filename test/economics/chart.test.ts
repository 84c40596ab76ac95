import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { renderEconomicsChart } from "../../src/economics/chart.ts";

test("the economics chart is well formed: two panels, three curves each, finite coordinates", () => {
  const svg = renderEconomicsChart();
  assert.ok(svg.startsWith("<?xml"));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)];
  assert.equal(lines.length, 3 + 6, "P for w = 1, 3, 5; C_min plain and self-challenging for each");
  for (const [, points] of lines) {
    assert.ok(points !== undefined);
    const xy = points.split(" ").map((p) => p.split(",").map(Number));
    assert.ok(xy.length > 100);
    for (const [x, y] of xy) assert.ok(Number.isFinite(x) && Number.isFinite(y));
  }
  assert.equal(renderEconomicsChart(), svg, "deterministic");
});

test("bench/economics.svg is up to date (regenerate: node --import tsx scripts/economics-chart.ts)", () => {
  const committed = readFileSync(new URL("../../bench/economics.svg", import.meta.url), "utf8");
  assert.equal(committed, renderEconomicsChart());
});
