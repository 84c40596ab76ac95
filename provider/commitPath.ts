/**
 * Whether the provider traces a job when it commits it, and keeps that trace for as long as
 * the job can be disputed (docs/PROTOCOL.md §11.8, "What a float provider keeps").
 *
 * The roots it posts when challenged must end in the output it committed (§7). An exact
 * integer model gives the same node outputs on any executor, so its trace can be computed
 * later from the stored input, and the commit runs the plain model only. A float32 model
 * does not: the plain model and a later trace need not agree bit for bit (a trace session
 * exposes every node output, which blocks some kernel fusions; another thread count, another
 * machine), so a trace computed later could end elsewhere and the honest provider could not
 * post roots at all. A float32 job is therefore traced at commit time, it commits that
 * trace's last node output, and the trace itself is stored, to be posted and revealed as run.
 */
import type { CompiledModel } from "../src/onnx/compile.ts";
import { Profile } from "../src/model/modelSpec.ts";

export function tracesAtCommit(compiled: CompiledModel): boolean {
  return compiled.profile === Profile.FLOAT32;
}
