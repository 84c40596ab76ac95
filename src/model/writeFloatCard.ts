import { readFileSync, writeFileSync } from "node:fs";
import { locateFashionMnist, readIdxImages, readIdxLabels } from "../data/idx.ts";
import { completeFloatCard, EVAL_IMAGES, EVAL_LABELS, type FloatCard, parseFloatCardDraft } from "./floatCard.ts";

/**
 * Completes the card beside an ONNX file (`x.onnx` → `x.card.json`) in place:
 * reads its draft fields, measures the file over the Fashion-MNIST test set
 * (Debian's dataset-fashion-mnist, or $REFUTE_FMNIST_DIR) and the shipped
 * evaluation images under `repoRoot`, and writes the card back.
 */
export async function writeFloatCard(onnxPath: string, repoRoot: string): Promise<FloatCard> {
  if (!onnxPath.endsWith(".onnx")) throw new Error(`${onnxPath} is not an .onnx file`);
  const cardPath = onnxPath.replace(/\.onnx$/, ".card.json");
  const draft = parseFloatCardDraft(JSON.parse(readFileSync(cardPath, "utf8")));
  const files = locateFashionMnist();
  const root = repoRoot.endsWith("/") ? repoRoot : `${repoRoot}/`;
  const card = await completeFloatCard(
    draft,
    new Uint8Array(readFileSync(onnxPath)),
    { images: readIdxImages(files.testImages), labels: readIdxLabels(files.testLabels) },
    { images: readIdxImages(`${root}${EVAL_IMAGES}`), labels: readIdxLabels(`${root}${EVAL_LABELS}`) },
  );
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  return card;
}
