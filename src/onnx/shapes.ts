import { LimitExceededError, ProfileRuleError, type ModelErrorLocation } from "./errors.ts";
import { Limits } from "./limits.ts";

/**
 * Element count of a declared or inferred shape, checked in bigint before
 * anything of that size exists: a zero dimension is outside the profile
 * (§2: dims are 1 … 2^32−1), more than 2^26 elements is a LimitExceededError.
 */
export function checkedElementCount(
  shape: readonly (number | bigint)[],
  what: string,
  where: ModelErrorLocation = {},
): number {
  if (shape.length > Limits.MAX_RANK) {
    throw new LimitExceededError(
      "RANK_TOO_LARGE",
      String(shape.length),
      String(Limits.MAX_RANK),
      `${what} has rank ${shape.length}, more than ${Limits.MAX_RANK}`,
      where,
    );
  }
  const dims = shape.map((d) => BigInt(d));
  for (const d of dims) {
    if (d < 0n) throw new ProfileRuleError("SHAPE_MISMATCH", `${what} has negative dimension ${d}`, where);
    if (d === 0n) {
      throw new ProfileRuleError("ZERO_DIMENSION", `${what} has a zero dimension`, where);
    }
  }
  let n = 1n;
  for (const d of dims) {
    n *= d;
    // Stop at the first excess: multiplying on would only grow the bigint (a hostile shape can list millions of dims).
    if (n > BigInt(Limits.MAX_ELEMENTS)) {
      const shown = shape.length > 8 ? `${shape.slice(0, 8).join(",")},… (${shape.length} dims)` : shape.join(",");
      throw new LimitExceededError(
        "TENSOR_TOO_LARGE",
        `>${Limits.MAX_ELEMENTS}`,
        String(Limits.MAX_ELEMENTS),
        `${what} of shape [${shown}] has more than ${Limits.MAX_ELEMENTS} elements`,
        where,
      );
    }
  }
  return Number(n);
}

/** numpy multidirectional broadcasting of several shapes (§6). */
export function broadcastShapes(shapes: readonly (readonly number[])[], where: ModelErrorLocation): number[] {
  // reduce, not Math.max(...): a variadic node may list more inputs than a call can take arguments.
  const rank = shapes.reduce((r, s) => Math.max(r, s.length), 0);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let dim = 1;
    for (const s of shapes) {
      // Undefined where s is shorter than rank and lacks this leading axis.
      const d = s[s.length - rank + k];
      if (d === undefined) continue;
      if (d === 1 || d === dim) continue;
      if (dim !== 1) {
        throw new ProfileRuleError(
          "SHAPE_MISMATCH",
          `shapes ${shapes.map((x) => `[${x.join(",")}]`).join(", ")} do not broadcast`,
          where,
        );
      }
      dim = d;
    }
    out.push(dim);
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
