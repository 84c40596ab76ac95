/**
 * The 2-D sliding window of Conv, MaxPool and AveragePool over an NCHW input
 * (docs/PROTOCOL.md §11.9), the mirror of contracts/ops/float/FloatWindow.sol. Kernel row r of
 * plane p touches input row y0 + r·dh, kernel column c input column x0 + c·dw; the columns
 * inside the image are c0 … c1 for every row, so each row inside the image is one run (from
 * its first touched element to its last), and the runs ascend with (p, r).
 */
import type { FloatTensor } from "./commitment.ts";

export interface Window {
  /** Committed position of element (0, 0) of the first plane. */
  readonly base: number;
  /** Planes under the window (Conv: the input channels; a pool: 1), each height·width after the previous. */
  readonly planes: number;
  readonly height: number;
  readonly width: number;
  readonly kh: number;
  readonly kw: number;
  readonly dh: number;
  readonly dw: number;
  readonly y0: number;
  readonly x0: number;
}

/** Strides, pads (top, left, bottom, right) and dilations of a 2-D window. */
export interface WindowAttributes {
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
}

/** ⌊(size + pads − dilation·(kernel − 1) − 1) / stride⌋ + 1; throws where the contract reverts. */
export function outputSize(size: number, pads: number, kernel: number, stride: number, dilation: number): number {
  if (kernel < 1 || stride < 1 || dilation < 1 || size + pads < dilation * (kernel - 1) + 1) {
    throw new RangeError(
      `window: size ${size}, pads ${pads}, kernel ${kernel}, stride ${stride}, dilation ${dilation}`,
    );
  }
  return Math.floor((size + pads - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Output height and width of a window of `kernel` over an input `height × width`. */
export function outputDims(
  height: number,
  width: number,
  kernel: readonly [number, number],
  a: WindowAttributes,
): [number, number] {
  return [
    outputSize(height, a.pads[0] + a.pads[2], kernel[0], a.strides[0], a.dilations[0]),
    outputSize(width, a.pads[1] + a.pads[3], kernel[1], a.strides[1], a.dilations[1]),
  ];
}

/** The window origin (y0, x0) of output position (oy, ox). */
export function origin(oy: number, ox: number, a: WindowAttributes): { y0: number; x0: number } {
  return { y0: oy * a.strides[0] - a.pads[0], x0: ox * a.strides[1] - a.pads[1] };
}

/** Kernel columns inside the image, or undefined. */
function columns(w: Window): { c0: number; c1: number } | undefined {
  const c0 = w.x0 >= 0 ? 0 : Math.ceil(-w.x0 / w.dw);
  if (w.x0 > w.width - 1) return undefined;
  const c1 = Math.min(w.kw - 1, Math.floor((w.width - 1 - w.x0) / w.dw));
  return c0 <= c1 ? { c0, c1 } : undefined;
}

/** One row of the window inside the image: its run of committed positions and its kernel place. */
export interface WindowRun {
  readonly plane: number;
  readonly row: number;
  readonly c0: number;
  readonly c1: number;
  /** Committed position of the first touched element. */
  readonly start: number;
  /** Elements from the first touched to the last, inclusive. */
  readonly count: number;
}

/** The window's runs in order (p, r). */
export function windowRuns(w: Window): WindowRun[] {
  const cols = columns(w);
  if (cols === undefined) return [];
  const runs: WindowRun[] = [];
  for (let p = 0; p < w.planes; p++) {
    for (let r = 0; r < w.kh; r++) {
      const iy = w.y0 + r * w.dh;
      if (iy < 0 || iy >= w.height) continue;
      const start = w.base + (p * w.height + iy) * w.width + w.x0 + cols.c0 * w.dw;
      runs.push({ plane: p, row: r, ...cols, start, count: (cols.c1 - cols.c0) * w.dw + 1 });
    }
  }
  return runs;
}

/** The words the runs occupy, increasing and without repeats: what the word-set opening opens. */
export function wordSet(w: Window): number[] {
  const words: number[] = [];
  for (const run of windowRuns(w)) {
    for (let word = Math.floor(run.start / 8); word <= Math.floor((run.start + run.count - 1) / 8); word++) {
      if (word !== words[words.length - 1]) words.push(word);
    }
  }
  return words;
}

/** Conv's patch: planes·kh·kw values in the order (p, r, c), +0 where the kernel lies on padding. */
export function patch(w: Window, x: FloatTensor): number[] {
  const out = new Array<number>(w.planes * w.kh * w.kw).fill(0);
  for (const run of windowRuns(w)) {
    for (let c = run.c0; c <= run.c1; c++) {
      out[(run.plane * w.kh + run.row) * w.kw + c] = x.at(run.start + (c - run.c0) * w.dw);
    }
  }
  return out;
}

/** The window's values inside the image, in the order (p, r, c). */
export function values(w: Window, x: FloatTensor): number[] {
  const out: number[] = [];
  for (const run of windowRuns(w)) {
    for (let c = run.c0; c <= run.c1; c++) out.push(x.at(run.start + (c - run.c0) * w.dw));
  }
  return out;
}
