/**
 * The float training run of the shipped MLP: seeded initialisation, a seeded
 * shuffle per epoch, mini-batch Adam with cosine learning-rate decay to zero.
 *
 * Shared by scripts/train.ts (which quantizes the result into the integer
 * model) and scripts/train-mlp-f32.ts (which exports the same float weights as
 * the float32 model), so both profiles are built from one set of weights.
 */
import { Adam, batchGradient, initMlp, type Mlp, Rng, workspace, zeroGrads } from "./mlp.ts";

export interface FitOptions {
  readonly seed: number;
  readonly epochs: number;
  readonly hidden: number;
  readonly learningRate: number;
  readonly batchSize: number;
}

/** What one finished epoch reports, for progress logs. */
export interface EpochReport {
  readonly epoch: number;
  readonly meanLoss: number;
  readonly trainAccuracy: number;
  readonly seconds: number;
}

export interface FitResult {
  readonly model: Mlp;
  readonly seconds: number;
}

/**
 * Trains an MLP on `count` samples of `x` (int8 inputs, see mlp.ts) with 10
 * outputs. `onEpoch` sees the model after each epoch; it must not change it.
 */
export function fitMlp(
  x: Int8Array,
  labels: Uint8Array,
  count: number,
  options: FitOptions,
  onEpoch?: (report: EpochReport, model: Mlp) => void,
): FitResult {
  const { seed, epochs, hidden, learningRate, batchSize } = options;
  for (const [k, v] of Object.entries({ seed, epochs, hidden, batchSize })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${k} must be a non-negative integer, got ${v}`);
  }
  if (batchSize === 0) throw new Error("batchSize must be positive");
  if (!(learningRate > 0)) throw new Error(`learningRate must be positive, got ${learningRate}`);
  if (labels.length < count) throw new Error(`${count} samples but only ${labels.length} labels`);
  const inputs = x.length / labels.length;
  if (!Number.isInteger(inputs)) throw new Error(`${x.length} inputs do not split into ${labels.length} samples`);

  // The same generator initialises the weights and then shuffles: changing
  // the order of these calls changes every weight.
  const rng = new Rng(seed);
  const model = initMlp(inputs, hidden, 10, rng);
  const grads = zeroGrads(model);
  const ws = workspace(model);
  const opt = new Adam(model, learningRate);
  const order = new Uint32Array(count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const totalSteps = epochs * Math.ceil(order.length / batchSize);

  const t0 = performance.now();
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const te = performance.now();
    rng.shuffle(order);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      // Cosine decay to zero: the last epochs settle into a minimum, which
      // also tightens the weight distribution the quantizer has to cover.
      opt.lr = learningRate * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
      const end = Math.min(order.length, start + batchSize);
      const r = batchGradient(model, grads, ws, x, labels, order, start, end);
      loss += r.loss;
      correct += r.correct;
      opt.step(model, grads);
      step++;
    }
    onEpoch?.(
      {
        epoch,
        meanLoss: loss / order.length,
        trainAccuracy: correct / order.length,
        seconds: (performance.now() - te) / 1000,
      },
      model,
    );
  }
  return { model, seconds: (performance.now() - t0) / 1000 };
}
