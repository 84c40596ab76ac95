/**
 * Reading an HTTP body from a server that may be hostile (job inputs, model files and
 * traces named by URIs that anyone chose): as a stream, cut off past a byte limit, so
 * a server cannot make the reader buffer more than it asked for.
 */

/** The body, or undefined as soon as it exceeds `max` bytes (the rest is never read). */
export async function readCapped(res: Response, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > max) {
    await res.body?.cancel();
    return undefined;
  }
  if (res.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
    n += value.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
