/**
 * Client-side input quantization for the shipped Fashion-MNIST model.
 *
 * The model's `input` tensor is int8 [1, 28, 28]. A pixel p in 0..255 is
 * read as the real value p/255 in [0, 1] and quantized with scale 1/127,
 * zero point 0:
 *
 *     q = round(p * 127 / 255)        q in 0..127
 *
 * This is the exact input the float network was trained on (it saw q/127,
 * not p/255), so input quantization costs the integer model no accuracy.
 *
 * p*127/255 is never exactly halfway between two integers for p in 0..255
 * (that would need 255 | 254p, i.e. p in {0, 255}, where the value is an
 * integer), so "round" has no tie-breaking ambiguity; we compute it in pure
 * integer arithmetic, floor((254p + 255) / 510), so every client (JS, Python,
 * Solidity) gets bit-identical inputs.
 */

export const INPUT_SCALE_DENOMINATOR = 127;

export function quantizePixel(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 255) {
    throw new RangeError(`pixel must be an integer in 0..255, got ${p}`);
  }
  return Math.floor((254 * p + 255) / 510);
}

export function quantizePixels(pixels: Uint8Array): Int8Array {
  const out = new Int8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    out[i] = Math.floor((254 * pixels[i]! + 255) / 510);
  }
  return out;
}
