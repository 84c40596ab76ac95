/**
 * Completes a float32 model card: measures the shipped ONNX file with
 * onnxruntime-node over the full Fashion-MNIST test set (batch 1 per image)
 * and the shipped evaluation images, and records its ops, ONNX header and
 * file hash. The card's draft fields come from the model's training script.
 * Usage: node --import tsx scripts/card-float.ts models/fmnist-cnn.onnx
 */
import { fileURLToPath } from "node:url";
import { writeFloatCard } from "../src/model/writeFloatCard.ts";

const onnxPath = process.argv[2];
if (onnxPath === undefined) throw new Error("usage: scripts/card-float.ts <model.onnx>");
const card = await writeFloatCard(onnxPath, fileURLToPath(new URL("..", import.meta.url)));
console.log(
  `updated ${onnxPath.replace(/\.onnx$/, ".card.json")}: float32 accuracy ${card.accuracy.float32} ` +
    `on ${card.testImages} test images, ${card.evalSubset.float32Accuracy} on the ${card.evalSubset.count} eval images`,
);
