/**
 * Exports the float weights the shipped integer MLP was quantized from as the
 * float32 model models/fmnist-mlp-f32.onnx, so the two profiles can be
 * compared on one model.
 *
 *   node --import tsx scripts/train-mlp-f32.ts
 *
 * Training is deterministic from the seed (src/train/fit.ts), so this reruns
 * the recipe recorded in models/fmnist-mlp.card.json, quantizes the result
 * exactly as scripts/train.ts does, and refuses to write anything unless that
 * reproduces models/fmnist-mlp.onnx byte for byte: only then are these the
 * integer model's own float weights. It then writes the float graph and its
 * card, measured with onnxruntime-node (src/model/writeFloatCard.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { locateFashionMnist, readIdxImages, readIdxLabels } from "../src/data/idx.ts";
import { quantizePixels } from "../src/data/quantizeInput.ts";
import type { FloatCardDraft } from "../src/model/floatCard.ts";
import { writeFloatCard } from "../src/model/writeFloatCard.ts";
import { buildGraph, encodeModel } from "../src/train/buildGraph.ts";
import { fitMlp } from "../src/train/fit.ts";
import {
  buildFloatGraph,
  FLOAT_INPUT_NAME,
  FLOAT_INPUT_SHAPE,
  FLOAT_OPSET,
  FLOAT_OUTPUT_NAME,
} from "../src/train/floatGraph.ts";
import { calibrate } from "../src/train/quantize.ts";

const CALIBRATION_SAMPLES = 10000;
const root = fileURLToPath(new URL("..", import.meta.url));
const intCard = JSON.parse(readFileSync(`${root}models/fmnist-mlp.card.json`, "utf8")) as {
  output: { labels: string[] };
  training: {
    seed: number;
    epochs: number;
    hidden: number;
    batchSize: number;
    learningRate: number;
    optimizer: string;
  };
};
const recipe = intCard.training;

const files = locateFashionMnist();
const trainImg = readIdxImages(files.trainImages);
const trainLabels = readIdxLabels(files.trainLabels);
// The integer model's input quantization: the float network trained on q/127.
const xTrain = quantizePixels(trainImg.pixels);
console.log(`dataset: ${files.dir}; recipe from models/fmnist-mlp.card.json: ${JSON.stringify(recipe)}`);

const { model, seconds } = fitMlp(
  xTrain,
  trainLabels,
  trainImg.count,
  {
    seed: recipe.seed,
    epochs: recipe.epochs,
    hidden: recipe.hidden,
    learningRate: recipe.learningRate,
    batchSize: recipe.batchSize,
  },
  (r) => console.log(`epoch ${r.epoch}/${recipe.epochs}: loss ${r.meanLoss.toFixed(4)}  ${r.seconds.toFixed(1)}s`),
);

const { best } = calibrate(model, xTrain, trainLabels, Math.min(CALIBRATION_SAMPLES, trainImg.count));
const requantized = encodeModel(buildGraph(best));
const shipped = new Uint8Array(readFileSync(`${root}models/fmnist-mlp.onnx`));
if (Buffer.compare(Buffer.from(requantized), Buffer.from(shipped)) !== 0) {
  throw new Error(
    "quantizing the retrained weights does not reproduce models/fmnist-mlp.onnx: " +
      "they are not the float weights the shipped integer model came from; nothing written",
  );
}
console.log("the retrained weights quantize to models/fmnist-mlp.onnx byte for byte");

const onnxPath = `${root}models/fmnist-mlp-f32.onnx`;
writeFileSync(onnxPath, buildFloatGraph(model));
const draft: FloatCardDraft = {
  name: "fmnist-mlp-f32",
  profile: "float32",
  dataset: "Fashion-MNIST (Zalando), Debian dataset-fashion-mnist",
  task: "10-class image classification (clothing), one image per inference",
  architecture:
    `MLP 784 -> ${recipe.hidden} (ReLU) -> 10: Flatten; Gemm 784->${recipe.hidden}, ReLU; ` +
    `Gemm ${recipe.hidden}->10; float32 throughout: the float weights that models/fmnist-mlp.onnx was quantized from`,
  input: {
    name: FLOAT_INPUT_NAME,
    dtype: "float32",
    shape: [...FLOAT_INPUT_SHAPE],
    preprocessing: "pixel/255 in float32 for pixel p in 0..255, image row-major",
  },
  output: {
    name: FLOAT_OUTPUT_NAME,
    dtype: "float32",
    shape: [1, 10],
    meaning: "class logits; the predicted class is the index of the largest",
    labels: intCard.output.labels,
  },
  training: {
    framework: "TypeScript (src/train/fit.ts, src/train/mlp.ts), float64 gradients, float32 weights",
    export: `src/train/floatGraph.ts, opset ${FLOAT_OPSET}, Gemm with transB = 1, batch fixed to 1`,
    seed: recipe.seed,
    epochs: recipe.epochs,
    hidden: recipe.hidden,
    batchSize: recipe.batchSize,
    optimizer: recipe.optimizer,
    learningRate: recipe.learningRate,
    loss: "softmax cross-entropy",
    augmentation: "none",
    trainImages: trainImg.count,
    trainedOn:
      "q/127 with q = round(p*127/255), the integer model's input quantization; this graph takes p/255, " +
      "which differs from q/127 by at most 1/254 per pixel",
    sameWeightsAs: "models/fmnist-mlp.onnx: the script re-quantizes these weights and checks the result is that file",
    durationSeconds: Math.round(seconds * 10) / 10,
    script: "node --import tsx scripts/train-mlp-f32.ts",
  },
};
writeFileSync(onnxPath.replace(/\.onnx$/, ".card.json"), `${JSON.stringify(draft, null, 2)}\n`);
const card = await writeFloatCard(onnxPath, root);
console.log(
  `wrote ${onnxPath}: float32 accuracy ${card.accuracy.float32} on ${card.testImages} test images, ` +
    `${card.evalSubset.float32Accuracy} on the ${card.evalSubset.count} eval images`,
);
