/**
 * The inputs field of an outputs request (protocol.ts): the jobs' packed inputs
 * back to back, in job order. Every input of one model packs to the same length, so
 * the child splits the buffer by the registered input spec alone.
 */
export function concatInputs(packed: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of packed) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of packed) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
