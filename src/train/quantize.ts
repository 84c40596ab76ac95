/**
 * Post-training quantization of the float MLP into the integer-only form the
 * ONNX graph executes (see buildGraph.ts for the graph itself):
 *
 *   acc1 = MatMulInteger(x, W1) + b1                      int32
 *   h    = Cast<int8>(Clip(Div(Mul(acc1, M1), D1), 0, 127)) int8, 0..127
 *   acc2 = MatMulInteger(h, W2) + b2                      int32 logits
 *   cls  = ArgMax(acc2)
 *
 * Scales (all per-tensor, symmetric, zero point 0):
 *   x  : s_x  = 1/127 (fixed by the client-side input quantization)
 *   W1 : s_w1 = max|W1| / 63
 *   h  : s_h  = hiddenClip / 127   (hiddenClip calibrated on training data)
 *   W2 : s_w2 = max|W2| / 63
 *
 * Weights use 7 bits (−63…63): onnxruntime's x86 u8×s8 kernels on CPUs without
 * VNNI add pairs of products in saturating 16-bit arithmetic, which is exact only
 * while |B| ≤ 64 (255·64·2 < 2^15). The executor already avoids those kernels
 * (docs/PROTOCOL.md §6.1, portability); 7-bit weights make the shipped model
 * exact under every kernel as well, at no measurable cost in accuracy.
 *   b1 is in acc1 units (s_x*s_w1), b2 in acc2 units (s_h*s_w2).
 *
 * The requantization multiplier s_x*s_w1/s_h is approximated by M1/D1 with
 * D1 a power of two, picked as large as possible such that Mul(acc1, M1)
 * cannot overflow int32 for ANY int8 input (not just real images): a
 * challenger may feed the graph arbitrary int8 tensors, and the on-chain
 * recomputation must agree with onnxruntime on them, so wrap-around would be
 * a consensus hazard.
 *
 * Div truncates toward zero (checked against onnxruntime: -7/4 = -1). We
 * want round-to-nearest, so half an output quantum, D1/(2*M1) in acc1 units,
 * is folded into b1: for non-negative results truncation then rounds half up.
 * Negative results are clipped to 0 by the ReLU Clip however Div rounds them,
 * so truncation of negatives needs no care.
 */
import { argmax, forward, INPUT_SCALE, type Mlp, workspace } from "./mlp.js";

const INT32_MAX = 2 ** 31 - 1;
/** Largest power of two representable as a positive int32 divisor. */
const MAX_D1_SHIFT = 30;

export interface QuantizedMlp {
  inputs: number;
  hidden: number;
  outputs: number;
  /** int8 [inputs, hidden] row-major. */
  w1: Int8Array;
  /** int32 [hidden], includes the rounding offset. */
  b1: Int32Array;
  m1: number;
  d1: number;
  /** int8 [hidden, outputs] row-major. */
  w2: Int8Array;
  /** int32 [outputs]. */
  b2: Int32Array;
  scales: { input: number; w1: number; hidden: number; w2: number };
  /** Float activation value mapped to int8 127. */
  hiddenClip: number;
  /** Rounding offset folded into b1 (acc1 units). */
  roundingOffset: number;
  /** max over units of 128*sum|W1| + |b1|: the largest |acc1| any int8 input can produce. */
  acc1Bound: number;
  /** acc1Bound * M1, asserted <= 2^31-1. */
  mulBound: number;
  /** max over classes of 127*sum|W2| + |b2| (hidden input is 0..127 after the Clip). */
  acc2Bound: number;
}

/** Largest weight magnitude: see the 7-bit note above. */
export const WEIGHT_MAX = 63;

function symmetricInt8(w: Float32Array): { q: Int8Array; scale: number } {
  let maxAbs = 0;
  for (let i = 0; i < w.length; i++) maxAbs = Math.max(maxAbs, Math.abs(w[i]!));
  if (maxAbs === 0) throw new Error("cannot quantize an all-zero weight tensor");
  const scale = maxAbs / WEIGHT_MAX;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    q[i] = Math.max(-WEIGHT_MAX, Math.min(WEIGHT_MAX, Math.round(w[i]! / scale)));
  }
  return { q, scale };
}

function toInt32(v: number, what: string): number {
  if (!Number.isInteger(v) || v > INT32_MAX || v < -(2 ** 31)) {
    throw new Error(`${what} = ${v} does not fit in int32`);
  }
  return v;
}

/** Largest |acc| per output column of an int8 [rows, cols] matrix times inputs bounded by inputMaxAbs. */
function columnBound(w: Int8Array, rows: number, cols: number, b: Int32Array, inputMaxAbs: number): number {
  let worst = 0;
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += Math.abs(w[i * cols + j]!);
    worst = Math.max(worst, s * inputMaxAbs + Math.abs(b[j]!));
  }
  return worst;
}

export function quantizeMlp(m: Mlp, hiddenClip: number): QuantizedMlp {
  if (!(hiddenClip > 0)) throw new Error(`hiddenClip must be positive, got ${hiddenClip}`);
  const { inputs, hidden, outputs } = m;
  const sx = INPUT_SCALE;
  const { q: w1, scale: sw1 } = symmetricInt8(m.w1);
  const { q: w2, scale: sw2 } = symmetricInt8(m.w2);
  const sh = hiddenClip / 127;
  const acc1Scale = sx * sw1;
  const ratio = acc1Scale / sh;

  const b1NoOffset = new Int32Array(hidden);
  for (let j = 0; j < hidden; j++) b1NoOffset[j] = toInt32(Math.round(m.b1[j]! / acc1Scale), "b1");

  // Walk D1 = 2^k down from the largest int32 power of two until the
  // worst-case product fits. The bound depends on M1 through the rounding
  // offset, so recompute it for every candidate.
  for (let k = MAX_D1_SHIFT; k >= 0; k--) {
    const d1 = 2 ** k;
    const m1 = Math.round(ratio * d1);
    if (m1 < 1) break;
    const offset = Math.round(d1 / (2 * m1));
    const b1 = new Int32Array(hidden);
    for (let j = 0; j < hidden; j++) b1[j] = toInt32(b1NoOffset[j]! + offset, "b1");
    // int8 inputs lie in [-128, 127]: 128 bounds their magnitude.
    const acc1Bound = columnBound(w1, inputs, hidden, b1, 128);
    const mulBound = acc1Bound * m1;
    if (mulBound > INT32_MAX) continue;

    const b2 = new Int32Array(outputs);
    const acc2Scale = sh * sw2;
    for (let k2 = 0; k2 < outputs; k2++) b2[k2] = toInt32(Math.round(m.b2[k2]! / acc2Scale), "b2");
    const acc2Bound = columnBound(w2, hidden, outputs, b2, 127);
    if (acc2Bound > INT32_MAX) throw new Error(`layer-2 accumulator bound ${acc2Bound} overflows int32`);

    return {
      inputs,
      hidden,
      outputs,
      w1,
      b1,
      m1,
      d1,
      w2,
      b2,
      scales: { input: sx, w1: sw1, hidden: sh, w2: sw2 },
      hiddenClip,
      roundingOffset: offset,
      acc1Bound,
      mulBound,
      acc2Bound,
    };
  }
  throw new Error(`no power-of-two D1 keeps Mul(acc1, M1) inside int32 (ratio ${ratio})`);
}

/**
 * Bit-exact JS model of the integer graph, used for calibration and as a
 * cross-check against onnxruntime. All intermediates are integers below
 * 2^31, so doubles represent them exactly.
 */
export function integerForward(
  q: QuantizedMlp,
  x: Int8Array,
  offset: number,
  h: Int32Array,
  logits: Int32Array,
): number {
  const { inputs, hidden, outputs, w1, b1, m1, d1, w2, b2 } = q;
  const acc = new Float64Array(hidden);
  for (let i = 0; i < inputs; i++) {
    const xi = x[offset + i]!;
    if (xi === 0) continue;
    const row = i * hidden;
    for (let j = 0; j < hidden; j++) acc[j] = acc[j]! + xi * w1[row + j]!;
  }
  for (let j = 0; j < hidden; j++) {
    const prod = (acc[j]! + b1[j]!) * m1;
    if (Math.abs(prod) > INT32_MAX) throw new Error(`int32 overflow in Mul at unit ${j}: ${prod}`);
    const v = Math.trunc(prod / d1);
    h[j] = v < 0 ? 0 : v > 127 ? 127 : v;
  }
  for (let k = 0; k < outputs; k++) logits[k] = b2[k]!;
  for (let j = 0; j < hidden; j++) {
    const hj = h[j]!;
    if (hj === 0) continue;
    const row = j * outputs;
    for (let k = 0; k < outputs; k++) logits[k] = logits[k]! + hj * w2[row + k]!;
  }
  // ArgMax with select_last_index=0 returns the first maximum, as argmax does.
  return argmax(logits);
}

export function integerAccuracy(q: QuantizedMlp, x: Int8Array, labels: Uint8Array, count: number): number {
  const h = new Int32Array(q.hidden);
  const logits = new Int32Array(q.outputs);
  let correct = 0;
  for (let n = 0; n < count; n++) {
    if (integerForward(q, x, n * q.inputs, h, logits) === labels[n]) correct++;
  }
  return correct / count;
}

export interface CalibrationResult {
  best: QuantizedMlp;
  /** Every candidate tried, for the log and the model card. */
  candidates: { label: string; hiddenClip: number; accuracy: number }[];
}

/**
 * Picks the hidden-activation clip value on TRAINING data (never the test
 * set): the max activation wastes int8 range on rare outliers, a tight
 * percentile saturates useful signal, so we try a few and keep the one with
 * the best integer accuracy on the calibration samples.
 */
export function calibrate(m: Mlp, x: Int8Array, labels: Uint8Array, count: number): CalibrationResult {
  const ws = workspace(m);
  const acts = new Float64Array(count * m.hidden);
  let n = 0;
  for (let s = 0; s < count; s++) {
    forward(m, x, s * m.inputs, ws.h, ws.z);
    for (let j = 0; j < m.hidden; j++) {
      const a = ws.h[j]!;
      if (a > 0) acts[n++] = a;
    }
  }
  const positive = acts.subarray(0, n).sort();
  if (positive.length === 0) throw new Error("calibration saw no positive hidden activations");
  const pct = (p: number): number => positive[Math.min(positive.length - 1, Math.floor((p / 100) * positive.length))]!;

  const tries: { label: string; hiddenClip: number }[] = [
    { label: "max", hiddenClip: positive[positive.length - 1]! },
    { label: "p99.999", hiddenClip: pct(99.999) },
    { label: "p99.99", hiddenClip: pct(99.99) },
    { label: "p99.9", hiddenClip: pct(99.9) },
    { label: "p99.5", hiddenClip: pct(99.5) },
    { label: "p99", hiddenClip: pct(99) },
  ];
  let best: QuantizedMlp | undefined;
  let bestAcc = -1;
  const candidates: CalibrationResult["candidates"] = [];
  for (const t of tries) {
    const q = quantizeMlp(m, t.hiddenClip);
    const acc = integerAccuracy(q, x, labels, count);
    candidates.push({ ...t, accuracy: acc });
    // Strict ">" keeps the earliest (widest-range) candidate on ties.
    if (acc > bestAcc) {
      bestAcc = acc;
      best = q;
    }
  }
  if (best === undefined) throw new Error("calibration produced no candidate");
  return { best, candidates };
}
