/**
 * The economics chart (bench/economics.svg, written by scripts/economics-chart.ts):
 * two panels against the sampling rate s ∈ [0, 1] for w = 1, 3, 5 watchers —
 * the detection probability P = 1 − (1 − s)^w, and the minimum collateral
 * C_min = max(0, c_p/P − F) (solid) and, for a self-challenging cheater,
 * max(0, (c_p/P − F)/(1 − β)) (dashed). Hand-written SVG, no dependencies.
 */
import { at } from "../tensor/at.ts";
import { DEFAULT_INPUTS, detectionProbability, minimumCollateral, type EconomicsInputs } from "./model.ts";

export interface ChartOptions {
  /** Parameters of the collateral panel and the marked defaults (s, C). */
  readonly inputs?: EconomicsInputs;
  /** Watcher counts, one curve each. */
  readonly watcherCounts?: readonly number[];
  /** Top of the collateral axis, tokens. */
  readonly collateralMax?: number;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
const WIDTH = 1000;
const HEIGHT = 470;
const PLOT = { top: 90, height: 300, width: 390 };
const PANEL_LEFT = [70, 570] as const;

const f = (x: number): string => String(Math.round(x * 100) / 100);

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

interface Axes {
  readonly left: number;
  readonly yMax: number;
  readonly x: (s: number) => number;
  readonly y: (v: number) => number;
}

function axes(left: number, yMax: number): Axes {
  return {
    left,
    yMax,
    x: (s) => left + s * PLOT.width,
    y: (v) => PLOT.top + PLOT.height - (v / yMax) * PLOT.height,
  };
}

function frame(a: Axes, title: string, yLabel: string, yTicks: readonly number[], id: string): string[] {
  const out: string[] = [];
  const bottom = PLOT.top + PLOT.height;
  out.push(
    `<clipPath id="${id}"><rect x="${a.left}" y="${PLOT.top}" width="${PLOT.width}" height="${PLOT.height}"/></clipPath>`,
  );
  out.push(
    `<rect x="${a.left}" y="${PLOT.top}" width="${PLOT.width}" height="${PLOT.height}" fill="#fff" stroke="none"/>`,
  );
  for (let k = 0; k <= 10; k++) {
    const x = a.x(k / 10);
    out.push(`<line x1="${f(x)}" y1="${PLOT.top}" x2="${f(x)}" y2="${bottom}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${f(x)}" y1="${bottom}" x2="${f(x)}" y2="${bottom + 5}" stroke="#333"/>`);
    out.push(`<text x="${f(x)}" y="${bottom + 19}" text-anchor="middle">${f(k / 10)}</text>`);
  }
  for (const v of yTicks) {
    const y = a.y(v);
    out.push(`<line x1="${a.left}" y1="${f(y)}" x2="${a.left + PLOT.width}" y2="${f(y)}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${a.left - 5}" y1="${f(y)}" x2="${a.left}" y2="${f(y)}" stroke="#333"/>`);
    out.push(`<text x="${a.left - 8}" y="${f(y + 4)}" text-anchor="end">${f(v)}</text>`);
  }
  out.push(
    `<rect x="${a.left}" y="${PLOT.top}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="#333"/>`,
  );
  out.push(
    `<text x="${a.left + PLOT.width / 2}" y="${PLOT.top - 14}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  );
  out.push(
    `<text x="${a.left + PLOT.width / 2}" y="${bottom + 40}" text-anchor="middle">sampling rate per watcher s</text>`,
  );
  const cy = PLOT.top + PLOT.height / 2;
  out.push(
    `<text x="${a.left - 48}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${a.left - 48} ${cy})">${esc(yLabel)}</text>`,
  );
  return out;
}

function polyline(
  a: Axes,
  fn: (s: number) => number | null,
  color: string,
  dashed: boolean,
  clip: string,
  steps = 500,
): string {
  const pts: string[] = [];
  for (let k = 0; k <= steps; k++) {
    const s = k / steps;
    const v = fn(s);
    if (v === null || !Number.isFinite(v)) continue;
    // Clamp far above the axis so the clip path cuts the curve at the top edge.
    pts.push(`${f(a.x(s))},${f(a.y(Math.min(v, a.yMax * 1.5)))}`);
  }
  const dash = dashed ? ` stroke-dasharray="7 5"` : "";
  return `<polyline clip-path="url(#${clip})" fill="none" stroke="${color}" stroke-width="2.2"${dash} points="${pts.join(" ")}"/>`;
}

/** Renders the two-panel SVG. Deterministic: the same options give the same bytes. */
export function renderEconomicsChart(options: ChartOptions = {}): string {
  const i = options.inputs ?? DEFAULT_INPUTS;
  const ws = options.watcherCounts ?? [1, 3, 5];
  const cMax = options.collateralMax ?? 2 * i.collateral;
  const color = (k: number) => at(COLORS, k % COLORS.length);
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" fill="#222">`,
  );
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#fafafa"/>`);
  out.push(
    `<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">Refute: detection probability and minimum collateral against sampling rate</text>`,
  );
  out.push(
    `<text x="${WIDTH / 2}" y="50" text-anchor="middle" font-size="12" fill="#555">${esc(
      `w independent watchers each re-execute a job with probability s; fee F = ${i.fee}, provider's saving c_p = ${i.providerCost}, bounty share β = ${i.bountyShare} (amounts in tokens)`,
    )}</text>`,
  );

  // Panel 1: detection probability.
  const a = axes(PANEL_LEFT[0], 1);
  out.push(...frame(a, "Detection probability P = 1 − (1 − s)^w", "P", [0, 0.2, 0.4, 0.6, 0.8, 1], "clip-p"));
  ws.forEach((w, k) => out.push(polyline(a, (s) => detectionProbability(s, w), color(k), false, "clip-p")));
  out.push(...marker(a, i.samplingRate, `default s = ${i.samplingRate}`));

  // Panel 2: minimum collateral.
  const b = axes(PANEL_LEFT[1], cMax);
  const step = niceStep(cMax / 5);
  const ticks: number[] = [];
  for (let v = 0; v <= cMax + 1e-9; v += step) ticks.push(v);
  out.push(...frame(b, "Minimum collateral C_min (tokens)", "C_min (tokens)", ticks, "clip-c"));
  ws.forEach((w, k) => {
    const cMin = (s: number, self: boolean) =>
      minimumCollateral(i.providerCost, detectionProbability(s, w), i.fee, i.bountyShare, self);
    out.push(polyline(b, (s) => cMin(s, false), color(k), false, "clip-c"));
    out.push(polyline(b, (s) => cMin(s, true), color(k), true, "clip-c"));
  });
  out.push(...marker(b, i.samplingRate, `default s = ${i.samplingRate}`));
  const yc = b.y(i.collateral);
  out.push(
    `<line x1="${b.left}" y1="${f(yc)}" x2="${b.left + PLOT.width}" y2="${f(yc)}" stroke="#555" stroke-dasharray="2 3"/>`,
  );
  out.push(
    `<text x="${b.left + PLOT.width - 6}" y="${f(yc - 6)}" text-anchor="end" fill="#555">default C = ${i.collateral}</text>`,
  );

  // Legends.
  const lx = a.left + PLOT.width - 95;
  out.push(
    `<rect x="${lx - 10}" y="${a.y(0.42) - 16}" width="100" height="${ws.length * 20 + 12}" fill="#fff" stroke="#ccc"/>`,
  );
  ws.forEach((w, k) => {
    const y = a.y(0.42) + k * 20;
    out.push(
      `<line x1="${lx}" y1="${f(y - 4)}" x2="${lx + 26}" y2="${f(y - 4)}" stroke="${color(k)}" stroke-width="2.2"/>`,
    );
    out.push(`<text x="${lx + 34}" y="${f(y)}">w = ${w}</text>`);
  });
  const bx = b.left + PLOT.width - 225;
  const by = b.y(cMax * 0.4);
  out.push(
    `<rect x="${bx - 10}" y="${f(by - 16)}" width="230" height="${ws.length * 20 + 52}" fill="#fff" stroke="#ccc"/>`,
  );
  ws.forEach((w, k) => {
    const y = by + k * 20;
    out.push(
      `<line x1="${bx}" y1="${f(y - 4)}" x2="${bx + 26}" y2="${f(y - 4)}" stroke="${color(k)}" stroke-width="2.2"/>`,
    );
    out.push(`<text x="${bx + 34}" y="${f(y)}">w = ${w}</text>`);
  });
  const ly = by + ws.length * 20 + 4;
  out.push(`<line x1="${bx}" y1="${f(ly - 4)}" x2="${bx + 26}" y2="${f(ly - 4)}" stroke="#444" stroke-width="2.2"/>`);
  out.push(`<text x="${bx + 34}" y="${f(ly)}">${esc("plain cheater: c_p/P − F")}</text>`);
  out.push(
    `<line x1="${bx}" y1="${f(ly + 16)}" x2="${bx + 26}" y2="${f(ly + 16)}" stroke="#444" stroke-width="2.2" stroke-dasharray="7 5"/>`,
  );
  out.push(`<text x="${bx + 34}" y="${f(ly + 20)}">${esc("self-challenging: ÷ (1 − β)")}</text>`);

  out.push(
    `<text x="${WIDTH / 2}" y="${HEIGHT - 12}" text-anchor="middle" font-size="11" fill="#777">generated by scripts/economics-chart.ts from src/economics/model.ts (docs/ECONOMICS.md)</text>`,
  );
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}

function marker(a: Axes, s: number, label: string): string[] {
  const x = a.x(s);
  return [
    `<line x1="${f(x)}" y1="${PLOT.top}" x2="${f(x)}" y2="${PLOT.top + PLOT.height}" stroke="#555" stroke-dasharray="2 3"/>`,
    `<text x="${f(x + 5)}" y="${PLOT.top + 14}" fill="#555">${esc(label)}</text>`,
  ];
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
