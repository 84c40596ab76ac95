/**
 * Input preprocessing of the float32 models: a pixel p in 0..255 is the
 * float32 value p/255 (correctly rounded, as numpy's float32 division and
 * PyTorch give; a double quotient rounded to float32 is the same value,
 * since double rounding from 53 to 24 bits is innocuous for division).
 */
export function floatPixels(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! / 255;
  return out;
}
