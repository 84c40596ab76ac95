/** ONNX attributes as the checker takes them (decoded by the caller from the node). */
import { CheckInputError } from "./tensor.ts";

export type AttributeValue = number | readonly number[] | string;
export type Attributes = Readonly<Record<string, AttributeValue>>;

export function intAttr(attrs: Attributes, name: string, fallback: number): number {
  const v = attrs[name];
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new CheckInputError(`attribute ${name} must be an integer`);
  return v;
}

export function floatAttr(attrs: Attributes, name: string, fallback: number): number {
  const v = attrs[name];
  if (v === undefined) return fallback;
  if (typeof v !== "number") throw new CheckInputError(`attribute ${name} must be a float`);
  return Math.fround(v);
}

export function intsAttr(attrs: Attributes, name: string, fallback: readonly number[]): readonly number[] {
  const v = attrs[name];
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || !v.every(Number.isInteger)) throw new CheckInputError(`attribute ${name} must be integers`);
  return v as readonly number[];
}

export function stringAttr(attrs: Attributes, name: string, fallback: string): string {
  const v = attrs[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string") throw new CheckInputError(`attribute ${name} must be a string`);
  return v;
}

/** 2-D window geometry of Conv and the pools (NCHW), auto_pad NOTSET or VALID. */
export interface Window2d {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly padBottom: number;
  readonly padRight: number;
  readonly outH: number;
  readonly outW: number;
}

export function window2d(attrs: Attributes, op: string, h: number, w: number, kernel: readonly number[]): Window2d {
  const autoPad = stringAttr(attrs, "auto_pad", "NOTSET");
  if (autoPad !== "NOTSET" && autoPad !== "VALID")
    throw new CheckInputError(`${op}: auto_pad ${autoPad} is not supported`);
  if (kernel.length !== 2) throw new CheckInputError(`${op}: only 2-D windows are supported`);
  const [sh, sw] = intsAttr(attrs, "strides", [1, 1]);
  const [dh, dw] = intsAttr(attrs, "dilations", [1, 1]);
  const pads = autoPad === "VALID" ? [0, 0, 0, 0] : intsAttr(attrs, "pads", [0, 0, 0, 0]);
  const ceil = intAttr(attrs, "ceil_mode", 0) === 1;
  const [kh, kw] = kernel as [number, number];
  const [pt, pl, pb, pr] = pads as [number, number, number, number];
  const out = (size: number, k: number, s: number, d: number, p: number) => {
    const span = size + p - (d * (k - 1) + 1);
    return (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  };
  const win = {
    kh,
    kw,
    sh: sh!,
    sw: sw!,
    dh: dh!,
    dw: dw!,
    padTop: pt,
    padLeft: pl,
    padBottom: pb,
    padRight: pr,
    outH: out(h, kh, sh!, dh!, pt + pb),
    outW: out(w, kw, sw!, dw!, pl + pr),
  };
  if (win.outH < 1 || win.outW < 1) throw new CheckInputError(`${op}: the window does not fit the input`);
  return win;
}
