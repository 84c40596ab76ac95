/** The benchmark's workload: the shipped model and its evaluation images, quantized as the model expects. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readIdxImages } from "../data/idx.ts";
import { quantizePixels } from "../data/quantizeInput.ts";
import { compileModel, type CompiledModel } from "../onnx/compile.ts";
import { Tensor } from "../tensor/tensor.ts";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const MODEL_FILE = join(REPO, "models", "fmnist-mlp.onnx");
export const IMAGES_FILE = join(REPO, "models", "fmnist-mlp.eval-images.idx");

export interface Workload {
  readonly modelFile: string;
  readonly compiled: CompiledModel;
  /** How many images the evaluation file holds. */
  readonly available: number;
  /** The first `count` images as model inputs. */
  readonly inputs: readonly Tensor[];
}

/** The model and its first `count` evaluation images (all of them when `count` is undefined). */
export function loadWorkload(count?: number, modelFile = MODEL_FILE, imagesFile = IMAGES_FILE): Workload {
  const compiled = compileModel(new Uint8Array(readFileSync(modelFile)));
  const images = readIdxImages(imagesFile);
  const size = images.rows * images.cols;
  count ??= images.count;
  if (count > images.count) throw new RangeError(`asked for ${count} images, ${imagesFile} holds ${images.count}`);
  const inputs = Array.from(
    { length: count },
    (_, i) => new Tensor({ ...compiled.input }, quantizePixels(images.pixels.subarray(i * size, (i + 1) * size))),
  );
  return { modelFile, compiled, available: images.count, inputs };
}
