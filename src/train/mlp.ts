/**
 * A one-hidden-layer MLP (inputs -> hidden -> outputs, ReLU, softmax
 * cross-entropy) with hand-written forward/backward passes and Adam.
 *
 * Everything is deterministic given the seed: a seeded PRNG drives the
 * initialisation and the per-epoch shuffle, and all arithmetic is plain
 * IEEE double/float32 in a fixed order, so a rerun reproduces the same
 * weights bit for bit (and hence the same ONNX file).
 *
 * Inputs are the *quantized* int8 pixels (see src/data/quantizeInput.ts)
 * read as q/127: the float network trains on exactly what the integer graph
 * will see, so input quantization is lossless by construction.
 */

/** sfc32: small, fast, well-distributed, and trivially reproducible. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Discard the first outputs: sfc32 states seeded with mostly-constant
    // words need a few rounds before they look random.
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  shuffle(arr: Uint32Array): void {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
  }
}

export interface Mlp {
  inputs: number;
  hidden: number;
  outputs: number;
  /** [inputs, hidden] row-major: the layout MatMul(x[1,in], W[in,hid]) wants. */
  w1: Float32Array;
  b1: Float32Array;
  /** [hidden, outputs] row-major. */
  w2: Float32Array;
  b2: Float32Array;
}

/** The float value the network sees for a quantized pixel. */
export const INPUT_SCALE = 1 / 127;

export function initMlp(inputs: number, hidden: number, outputs: number, rng: Rng): Mlp {
  // He-uniform for the ReLU layer, Glorot-uniform for the softmax layer.
  const lim1 = Math.sqrt(6 / inputs);
  const lim2 = Math.sqrt(6 / (hidden + outputs));
  const w1 = new Float32Array(inputs * hidden);
  for (let i = 0; i < w1.length; i++) w1[i] = (rng.next() * 2 - 1) * lim1;
  const w2 = new Float32Array(hidden * outputs);
  for (let i = 0; i < w2.length; i++) w2[i] = (rng.next() * 2 - 1) * lim2;
  return {
    inputs,
    hidden,
    outputs,
    w1,
    b1: new Float32Array(hidden),
    w2,
    b2: new Float32Array(outputs),
  };
}

/**
 * Forward pass for one sample. `x` holds the whole dataset of int8 inputs;
 * `offset` selects the sample. Writes the post-ReLU hidden layer into `h`
 * and the logits into `z`.
 */
export function forward(m: Mlp, x: Int8Array, offset: number, h: Float64Array, z: Float64Array): void {
  const { inputs, hidden, outputs, w1, b1, w2, b2 } = m;
  for (let j = 0; j < hidden; j++) h[j] = b1[j]!;
  for (let i = 0; i < inputs; i++) {
    const q = x[offset + i]!;
    // Fashion-MNIST is ~50% background; skipping zeros halves the work.
    if (q === 0) continue;
    const xi = q * INPUT_SCALE;
    const row = i * hidden;
    for (let j = 0; j < hidden; j++) h[j] = h[j]! + xi * w1[row + j]!;
  }
  for (let j = 0; j < hidden; j++) if (h[j]! < 0) h[j] = 0;
  for (let k = 0; k < outputs; k++) z[k] = b2[k]!;
  for (let j = 0; j < hidden; j++) {
    const hj = h[j]!;
    if (hj === 0) continue;
    const row = j * outputs;
    for (let k = 0; k < outputs; k++) z[k] = z[k]! + hj * w2[row + k]!;
  }
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < v.length; k++) if (v[k]! > v[best]!) best = k;
  return best;
}

/** Gradient buffers with the same shapes as the parameters. */
export interface Grads {
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

export function zeroGrads(m: Mlp): Grads {
  return {
    w1: new Float64Array(m.w1.length),
    b1: new Float64Array(m.b1.length),
    w2: new Float64Array(m.w2.length),
    b2: new Float64Array(m.b2.length),
  };
}

/** Scratch space reused across samples so training allocates nothing per step. */
export interface Workspace {
  h: Float64Array;
  z: Float64Array;
  dz: Float64Array;
  dh: Float64Array;
}

export function workspace(m: Mlp): Workspace {
  return {
    h: new Float64Array(m.hidden),
    z: new Float64Array(m.outputs),
    dz: new Float64Array(m.outputs),
    dh: new Float64Array(m.hidden),
  };
}

/**
 * Accumulates the mean-over-batch cross-entropy gradient of the samples
 * `order[start..end)` into `g` (which is cleared first). Returns the summed
 * loss and the number of correct predictions for progress reporting.
 */
export function batchGradient(
  m: Mlp,
  g: Grads,
  ws: Workspace,
  x: Int8Array,
  labels: Uint8Array,
  order: Uint32Array,
  start: number,
  end: number,
): { loss: number; correct: number } {
  const { inputs, hidden, outputs, w2 } = m;
  const { h, z, dz, dh } = ws;
  g.w1.fill(0);
  g.b1.fill(0);
  g.w2.fill(0);
  g.b2.fill(0);
  const inv = 1 / (end - start);
  let loss = 0;
  let correct = 0;
  for (let s = start; s < end; s++) {
    const n = order[s]!;
    const offset = n * inputs;
    const y = labels[n]!;
    forward(m, x, offset, h, z);
    if (argmax(z) === y) correct++;

    // Numerically stable softmax: subtract the max logit before exp.
    let zmax = z[0]!;
    for (let k = 1; k < outputs; k++) if (z[k]! > zmax) zmax = z[k]!;
    let sum = 0;
    for (let k = 0; k < outputs; k++) {
      const e = Math.exp(z[k]! - zmax);
      dz[k] = e;
      sum += e;
    }
    loss += Math.log(sum) - (z[y]! - zmax);
    for (let k = 0; k < outputs; k++) dz[k] = (dz[k]! / sum) * inv;
    dz[y] = dz[y]! - inv;

    for (let k = 0; k < outputs; k++) g.b2[k] = g.b2[k]! + dz[k]!;
    for (let j = 0; j < hidden; j++) {
      const hj = h[j]!;
      const row = j * outputs;
      if (hj === 0) {
        // ReLU was inactive: no gradient flows back through this unit.
        dh[j] = 0;
        continue;
      }
      let acc = 0;
      for (let k = 0; k < outputs; k++) {
        g.w2[row + k] = g.w2[row + k]! + hj * dz[k]!;
        acc += w2[row + k]! * dz[k]!;
      }
      dh[j] = acc;
    }
    for (let j = 0; j < hidden; j++) g.b1[j] = g.b1[j]! + dh[j]!;
    for (let i = 0; i < inputs; i++) {
      const q = x[offset + i]!;
      if (q === 0) continue;
      const xi = q * INPUT_SCALE;
      const row = i * hidden;
      for (let j = 0; j < hidden; j++) g.w1[row + j] = g.w1[row + j]! + xi * dh[j]!;
    }
  }
  return { loss, correct };
}

/** Adam (Kingma & Ba) with bias correction and optional decoupled weight decay. */
export class Adam {
  private t = 0;
  private readonly m: Grads;
  private readonly v: Grads;

  constructor(
    model: Mlp,
    public lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
    private readonly weightDecay = 0,
  ) {
    this.m = zeroGrads(model);
    this.v = zeroGrads(model);
  }

  step(model: Mlp, g: Grads): void {
    this.t++;
    const c1 = 1 - Math.pow(this.beta1, this.t);
    const c2 = 1 - Math.pow(this.beta2, this.t);
    this.update(model.w1, g.w1, this.m.w1, this.v.w1, c1, c2, this.weightDecay);
    this.update(model.b1, g.b1, this.m.b1, this.v.b1, c1, c2, 0);
    this.update(model.w2, g.w2, this.m.w2, this.v.w2, c1, c2, this.weightDecay);
    this.update(model.b2, g.b2, this.m.b2, this.v.b2, c1, c2, 0);
  }

  private update(
    p: Float32Array,
    g: Float64Array,
    m: Float64Array,
    v: Float64Array,
    c1: number,
    c2: number,
    wd: number,
  ): void {
    const { lr, beta1, beta2, eps } = this;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i]! - lr * (mi / c1 / (Math.sqrt(vi / c2) + eps) + wd * p[i]!);
    }
  }
}

/** Float accuracy over `count` samples. */
export function accuracy(m: Mlp, x: Int8Array, labels: Uint8Array, count: number): number {
  const ws = workspace(m);
  let correct = 0;
  for (let n = 0; n < count; n++) {
    forward(m, x, n * m.inputs, ws.h, ws.z);
    if (argmax(ws.z) === labels[n]) correct++;
  }
  return correct / count;
}
