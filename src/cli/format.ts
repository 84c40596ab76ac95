import { Source, type Operand } from "../graph/descriptor.ts";
import { dtypeInfo } from "../tensor/dtype.ts";
import type { TensorSpec } from "../tensor/spec.ts";
import type { Tensor } from "../tensor/tensor.ts";

const SOURCE_NAMES: Record<number, string> = {
  [Source.ABSENT]: "ABSENT",
  [Source.JOB_INPUT]: "JOB_INPUT",
  [Source.NODE_OUTPUT]: "NODE_OUTPUT",
  [Source.CONSTANT]: "CONSTANT",
};

export function sourceName(source: number): string {
  return SOURCE_NAMES[source] ?? `source ${source}`;
}

export function specJson(spec: TensorSpec): { dtype: string; layout: number; shape: number[] } {
  return { dtype: dtypeInfo(spec.dtype).name, layout: spec.layout, shape: [...spec.shape] };
}

export function specText(spec: TensorSpec): string {
  const layout = spec.layout === 1 ? " transposed" : "";
  return `${dtypeInfo(spec.dtype).name} [${spec.shape.join(",")}]${layout}`;
}

export function operandJson(o: Operand, name: string | null): Record<string, unknown> {
  return {
    name,
    source: sourceName(o.source),
    ...(o.source === Source.NODE_OUTPUT ? { node: o.index } : {}),
    ...(o.source === Source.CONSTANT ? { root: o.root } : {}),
    ...specJson(o.spec),
  };
}

/** Values as JSON: numbers, except int64 (which can exceed 2^53) as decimal strings. */
export function valuesJson(t: Tensor): (number | string)[] {
  const out: (number | string)[] = [];
  for (const v of t.data) out.push(typeof v === "bigint" ? v.toString() : v);
  return out;
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
