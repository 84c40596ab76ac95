/**
 * Refreshes the protocol identity (fileHash, graphRoot, modelId) in a model card
 * without retraining, e.g. after a change of the default registration parameters.
 * Usage: node --import tsx scripts/card.ts [models/fmnist-mlp.onnx]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cardIdentity } from "../src/model/card.ts";

const onnxPath = process.argv[2] ?? "models/fmnist-mlp.onnx";
const cardPath = onnxPath.replace(/\.onnx$/, ".card.json");
const card = JSON.parse(readFileSync(cardPath, "utf8")) as Record<string, unknown>;
Object.assign(card, cardIdentity(readFileSync(onnxPath), onnxPath));
writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
console.log(`updated ${cardPath}: modelId ${String(card.modelId)}`);
