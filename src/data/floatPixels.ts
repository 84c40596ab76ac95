/**
 * Input preprocessing of the float32 models: a pixel p in 0..255 is the
 * float32 value p/255 (correctly rounded, as numpy's float32 division and
 * PyTorch give; a double quotient rounded to float32 is the same value,
 * since double rounding from 53 to 24 bits is innocuous for division).
 */
import type { TensorSpec } from "../tensor/spec.ts";
import { Tensor } from "../tensor/tensor.ts";
import type { IdxImages } from "./idx.ts";

export function floatPixels(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! / 255;
  return out;
}

/** Image `i` of an IDX set as a float32 model's input (pixel/255), under the model's input spec. */
export function floatImage(images: IdxImages, spec: TensorSpec, i: number): Tensor {
  const size = images.rows * images.cols;
  if (!Number.isInteger(i) || i < 0 || i >= images.count) {
    throw new RangeError(`image ${i} is outside the ${images.count} of the set`);
  }
  return new Tensor(
    { dtype: spec.dtype, layout: spec.layout, shape: [...spec.shape] },
    floatPixels(images.pixels.subarray(i * size, (i + 1) * size)),
  );
}
