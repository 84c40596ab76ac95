/** Hand-written SVG charts for bench/RESULTS.md: horizontal bars (linear or log axis), CDFs and one stacked bar. */
import { at } from "../tensor/at.ts";

const FONT = `font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12"`;
export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"];

const f = (x: number): string => String(Math.round(x * 100) / 100);

export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A readable number: thousands separators, at most 3 significant decimals below 10. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function frame(width: number, height: number, title: string, body: string[], subtitle?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600">${esc(title)}</text>`,
    subtitle !== undefined ? `<text x="16" y="42" fill="#555">${esc(subtitle)}</text>` : "",
    ...body,
    `</svg>`,
    "",
  ]
    .filter((l) => l !== "")
    .join("\n");
}

/** Nice tick values covering [0, max]. */
function linearTicks(max: number, count = 5): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  let last = 0;
  for (let v = 0; v <= max + step * 1e-9; v += step) {
    out.push(v);
    last = v;
  }
  if (last < max) out.push(last + step);
  return out;
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color?: string;
  /** Text after the value (e.g. "p95 12 ms"). */
  readonly note?: string;
}

export interface BarChart {
  readonly title: string;
  readonly subtitle?: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
  readonly log?: boolean;
  readonly width?: number;
}

export function barChart(c: BarChart): string {
  const width = c.width ?? 820;
  const labelW = Math.min(300, 24 + 7 * Math.max(...c.bars.map((b) => b.label.length), 4));
  const top = c.subtitle !== undefined ? 62 : 46;
  const rowH = 26;
  const plotW = width - labelW - 170;
  const height = top + rowH * c.bars.length + 44;
  const left = labelW;
  const values = c.bars.map((b) => b.value).filter((v) => Number.isFinite(v));
  const body: string[] = [];
  let x: (v: number) => number;
  let ticks: number[];
  if (c.log === true) {
    const positive = values.filter((v) => v > 0);
    const lo = 10 ** Math.floor(Math.log10(Math.min(...positive, 1)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...positive, 1)));
    const span = Math.log10(hi) - Math.log10(lo) || 1;
    x = (v) => left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * plotW;
    ticks = [];
    for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
  } else {
    ticks = linearTicks(Math.max(...values, 0));
    const max = at(ticks, ticks.length - 1); // linearTicks returns at least one tick
    x = (v) => left + (v / max) * plotW;
  }
  const bottom = top + rowH * c.bars.length;
  for (const t of ticks) {
    body.push(`<line x1="${f(x(t))}" y1="${top - 4}" x2="${f(x(t))}" y2="${bottom}" stroke="#e5e5e5"/>`);
    body.push(`<text x="${f(x(t))}" y="${bottom + 16}" text-anchor="middle" fill="#555">${esc(fmt(t))}</text>`);
  }
  body.push(
    `<text x="${f(left + plotW / 2)}" y="${bottom + 34}" text-anchor="middle" fill="#333">${esc(c.unit)}${c.log === true ? " (log scale)" : ""}</text>`,
  );
  c.bars.forEach((b, i) => {
    const y = top + i * rowH;
    const color = b.color ?? PALETTE[i % PALETTE.length];
    const w = Number.isFinite(b.value) ? Math.max(1, x(b.value) - left) : 0;
    body.push(`<text x="${left - 8}" y="${y + 17}" text-anchor="end">${esc(b.label)}</text>`);
    body.push(`<rect x="${left}" y="${y + 5}" width="${f(w)}" height="${rowH - 10}" fill="${color}"/>`);
    body.push(
      `<text x="${f(left + w + 6)}" y="${y + 17}" fill="#222">${esc(fmt(b.value))}${b.note !== undefined ? ` <tspan fill="#777">${esc(b.note)}</tspan>` : ""}</text>`,
    );
  });
  body.push(`<line x1="${left}" y1="${top - 4}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
  return frame(width, height, c.title, body, c.subtitle);
}

export interface CdfSeries {
  readonly label: string;
  readonly values: readonly number[];
  readonly color?: string;
}

/** Empirical CDFs of several samples on one linear axis. */
export function cdfChart(c: {
  readonly title: string;
  readonly subtitle?: string;
  readonly unit: string;
  readonly series: readonly CdfSeries[];
}): string {
  const width = 860;
  const height = 400;
  const left = 64;
  const top = c.subtitle !== undefined ? 70 : 54;
  const plotW = width - left - 240;
  const plotH = height - top - 56;
  const all = c.series.flatMap((s) => s.values);
  const ticks = linearTicks(Math.max(...all, 1));
  const max = at(ticks, ticks.length - 1); // linearTicks returns at least one tick
  const x = (v: number) => left + (v / max) * plotW;
  const y = (p: number) => top + plotH - p * plotH;
  const body: string[] = [];
  for (const t of ticks) {
    body.push(`<line x1="${f(x(t))}" y1="${top}" x2="${f(x(t))}" y2="${top + plotH}" stroke="#e5e5e5"/>`);
    body.push(`<text x="${f(x(t))}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">${esc(fmt(t))}</text>`);
  }
  for (const p of [0, 0.25, 0.5, 0.75, 0.95, 1]) {
    body.push(`<line x1="${left}" y1="${f(y(p))}" x2="${left + plotW}" y2="${f(y(p))}" stroke="#eee"/>`);
    body.push(`<text x="${left - 6}" y="${f(y(p) + 4)}" text-anchor="end" fill="#555">${p}</text>`);
  }
  body.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${f(left + plotW / 2)}" y="${height - 12}" text-anchor="middle">${esc(c.unit)}</text>`,
    `<text x="16" y="${f(top + plotH / 2)}" transform="rotate(-90 16 ${f(top + plotH / 2)})" text-anchor="middle">fraction of jobs</text>`,
  );
  c.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const sorted = [...s.values].sort((a, b) => a - b);
    const [lowest] = sorted;
    if (lowest !== undefined) {
      let d = `M ${f(x(lowest))} ${f(y(0))}`;
      sorted.forEach((v, k) => {
        d += ` L ${f(x(v))} ${f(y(k / sorted.length))} L ${f(x(v))} ${f(y((k + 1) / sorted.length))}`;
      });
      body.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    const ly = top + 10 + i * 20;
    body.push(
      `<line x1="${left + plotW + 16}" y1="${ly}" x2="${left + plotW + 36}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${left + plotW + 42}" y="${ly + 4}">${esc(`${s.label} (n=${s.values.length})`)}</text>`,
    );
  });
  return frame(width, height, c.title, body, c.subtitle);
}

/** One horizontal bar split into consecutive segments (e.g. the parts of time to finality). */
export function stackedBar(c: {
  readonly title: string;
  readonly subtitle?: string;
  readonly unit: string;
  readonly segments: readonly Bar[];
}): string {
  const width = 820;
  const left = 24;
  const top = c.subtitle !== undefined ? 70 : 54;
  const plotW = width - 2 * left;
  const total = c.segments.reduce((a, s) => a + Math.max(0, s.value), 0) || 1;
  const height = top + 40 + 24 * c.segments.length + 30;
  const body: string[] = [];
  let at = left;
  c.segments.forEach((s, i) => {
    const w = (Math.max(0, s.value) / total) * plotW;
    const color = s.color ?? PALETTE[i % PALETTE.length];
    body.push(`<rect x="${f(at)}" y="${top}" width="${f(Math.max(w, 1))}" height="28" fill="${color}"/>`);
    at += w;
    const ly = top + 50 + i * 24;
    body.push(
      `<rect x="${left}" y="${ly - 10}" width="12" height="12" fill="${color}"/>`,
      `<text x="${left + 18}" y="${ly}">${esc(`${s.label}: ${fmt(s.value)} ${c.unit}${s.note !== undefined ? ` (${s.note})` : ""}`)}</text>`,
    );
  });
  body.push(
    `<text x="${width - left}" y="${top - 6}" text-anchor="end" fill="#333">${esc(`sum of the parts ${fmt(total)} ${c.unit}`)}</text>`,
  );
  return frame(width, height, c.title, body, c.subtitle);
}
