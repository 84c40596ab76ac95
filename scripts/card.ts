/**
 * Fills the fields of a model card that are measured on its ONNX file.
 * Usage: node --import tsx scripts/card.ts [models/fmnist-mlp.onnx]
 *
 * An integer card: refreshes the protocol identity (fileHash, graphRoot,
 * modelId) without retraining, e.g. after a change of the default
 * registration parameters.
 * A float32 card (`"profile": "float32"`): measures the file with
 * onnxruntime-node over the full Fashion-MNIST test set (batch 1 per image)
 * and the shipped evaluation images, and records its ops, ONNX header and file
 * hash (src/model/writeFloatCard.ts); its other fields come from the model's
 * training script.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cardIdentity } from "../src/model/card.ts";
import { writeFloatCard } from "../src/model/writeFloatCard.ts";

const onnxPath = process.argv[2] ?? "models/fmnist-mlp.onnx";
const cardPath = onnxPath.replace(/\.onnx$/, ".card.json");
const card = JSON.parse(readFileSync(cardPath, "utf8")) as Record<string, unknown>;
if (card.profile === "float32") {
  const float = await writeFloatCard(onnxPath, fileURLToPath(new URL("..", import.meta.url)));
  console.log(
    `updated ${cardPath}: float32 accuracy ${float.accuracy.float32} on ${float.testImages} test images, ` +
      `${float.evalSubset.float32Accuracy} on the ${float.evalSubset.count} eval images`,
  );
} else {
  Object.assign(card, cardIdentity(readFileSync(onnxPath), onnxPath));
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  console.log(`updated ${cardPath}: modelId ${String(card.modelId)}`);
}
