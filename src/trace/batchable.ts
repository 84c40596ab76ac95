import type { CompiledModel } from "../onnx/compile.ts";
import { at } from "../tensor/at.ts";

/**
 * Whether a compiled model may run many jobs in one onnxruntime call, with the
 * jobs stacked along a leading dimension. That is sound only when every job's
 * output depends on its own input alone, so the check is conservative: it follows
 * the job input through the graph and accepts a node only when it is known to act
 * on each row of dimension 0 by itself. Every value derived from the input must
 * keep dimension 0 of size 1 (per job), so that N stacked jobs are exactly
 * dimension 0 of size N and nothing else about the shapes changes. Anything not
 * recognized is refused, with the reason; a refused model runs one job per call.
 */
export type Batchability =
  | {
      readonly ok: true;
      /** Per Reshape node index: its target rewritten so dimension 0 is inferred (−1) and the others are explicit. */
      readonly reshapeTargets: ReadonlyMap<number, readonly number[]>;
    }
  | { readonly ok: false; readonly reason: string };

const ELEMENTWISE = new Set(["Add", "Sub", "Mul", "Div", "Max", "Min"]);
const UNARY = new Set(["Relu", "Identity", "Cast"]);

const checked = new WeakMap<CompiledModel, Batchability>();

/** The check, computed once per compiled model. */
export function batchability(compiled: CompiledModel): Batchability {
  let b = checked.get(compiled);
  if (b === undefined) {
    b = check(compiled);
    checked.set(compiled, b);
  }
  return b;
}

function check(compiled: CompiledModel): Batchability {
  const refuse = (reason: string): Batchability => ({ ok: false, reason });
  const inShape = compiled.input.shape;
  if (inShape.length === 0 || inShape[0] !== 1)
    return refuse(`the input's shape [${inShape.join(",")}] does not lead with a dimension of 1`);

  /** Shapes of the values that carry the job (dimension 0 is the job's own row). */
  const rowed = new Map<string, readonly number[]>([[compiled.input.name, inShape]]);
  const reshapeTargets = new Map<number, readonly number[]>();

  for (let i = 0; i < compiled.nodes.length; i++) {
    const op = at(compiled.onnxOpTypes, i);
    const names = at(compiled.inputNames, i);
    const out = at(compiled.nodes, i).output.shape;
    const attrs = at(compiled.nodes, i).attrs;
    const where = `node ${i} (${op} ${JSON.stringify(at(compiled.nodeNames, i))})`;
    const isRowed = (name: string | null | undefined): boolean => name != null && rowed.has(name);
    const isConstant = (name: string | null | undefined): boolean => name != null && compiled.constants.has(name);
    // Only operands that are absent, constants or rows are understood; a value built
    // from constants alone would need its own analysis, and models do not need one.
    for (const name of names) {
      if (name !== null && !isRowed(name) && !isConstant(name))
        return refuse(`${where} reads ${JSON.stringify(name)}, which is neither a constant nor derived from the input`);
    }
    const first = names[0];
    if (!isRowed(first) && !(ELEMENTWISE.has(op) && names.some(isRowed)))
      return refuse(`${where} does not read the input's rows in its first operand`);
    if (out.length === 0 || out[0] !== 1)
      return refuse(`${where} has output shape [${out.join(",")}], not leading with a dimension of 1`);

    if (ELEMENTWISE.has(op)) {
      // Rows line up with rows only if every rowed operand has the output's rank (no
      // broadcast moves dimension 0 elsewhere); a constant broadcasts along dimension 0
      // only if it is shorter than the output or has 1 there.
      for (const name of names) {
        if (name === null) continue;
        const shape = shapeOf(compiled, rowed, name);
        if (isRowed(name) && shape.length !== out.length)
          return refuse(
            `${where}: operand ${JSON.stringify(name)} of rank ${shape.length} broadcasts into rank ${out.length}`,
          );
        if (isConstant(name) && shape.length === out.length && shape[0] !== 1)
          return refuse(`${where}: constant ${JSON.stringify(name)} has ${shape[0]} rows along dimension 0`);
        if (isConstant(name) && shape.length > out.length)
          return refuse(`${where}: constant ${JSON.stringify(name)} has a higher rank than the output`);
      }
    } else if (UNARY.has(op)) {
      // Acts on each element alone.
    } else if (op === "Clip") {
      // The bounds must stay scalars: a bound derived from the input would become N values.
      for (const name of names.slice(1)) {
        if (name !== null && !isConstant(name))
          return refuse(`${where}: bound ${JSON.stringify(name)} is not a constant`);
      }
    } else if (op === "Flatten") {
      const axis = Number(at(attrs, 0));
      if (axis < 1) return refuse(`${where} flattens from axis ${axis}, across dimension 0`);
    } else if (op === "MatMulInteger") {
      // A [1,K] × constant B [K,N]: each row of A gives its own row of the product.
      // The zero points must be constants (an a_zero_point derived from the input would
      // become a vector of N values, which MatMulInteger reads per row, not per job).
      if (!isConstant(names[1])) return refuse(`${where}: B is not a constant`);
      for (const name of names.slice(2)) {
        if (name !== null && name !== undefined && !isConstant(name))
          return refuse(`${where}: zero point ${JSON.stringify(name)} is not a constant`);
      }
      if (shapeOf(compiled, rowed, first as string).length !== 2) return refuse(`${where}: A is not 2-D`);
    } else if (op === "Gather") {
      const axis = Number(at(attrs, 0));
      if (axis < 1) return refuse(`${where} gathers along dimension 0`);
      if (!isConstant(names[1])) return refuse(`${where}: indices are not a constant`);
    } else if (op === "ArgMax") {
      const axis = Number(at(attrs, 0));
      if (axis < 1) return refuse(`${where} reduces dimension 0`);
    } else if (op === "Reshape") {
      // Row-major reshape of [N, …] into [N, …] with the same count per row maps each
      // row onto its own row. The target is made explicit (the loader's inferred shape)
      // with dimension 0 inferred, so the same graph takes any N.
      if (!isConstant(names[1])) return refuse(`${where}: the target shape is not a constant`);
      if (out.some((d) => d < 1)) return refuse(`${where}: the target shape [${out.join(",")}] has an empty dimension`);
      reshapeTargets.set(i, [-1, ...out.slice(1)]);
    } else {
      return refuse(`${where}: ${op} is not known to act on each row alone`);
    }
    rowed.set(at(compiled.outputNames, i), out);
  }
  const outName = compiled.output.name;
  if (!rowed.has(outName)) return refuse(`the output ${JSON.stringify(outName)} is not derived from the input`);
  return { ok: true, reshapeTargets };
}

function shapeOf(
  compiled: CompiledModel,
  rowed: ReadonlyMap<string, readonly number[]>,
  name: string,
): readonly number[] {
  const shape = rowed.get(name) ?? compiled.constants.get(name)?.spec.shape;
  if (shape === undefined) throw new Error(`value ${name} has no shape (checked above)`);
  return shape;
}
