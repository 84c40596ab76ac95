/**
 * The models a provider serves: its files, compiled once at start, and for each
 * on-chain modelId whether it is one of them. A registration whose fileHash is one
 * of our files but whose graph, node count or specs differ is refused with a
 * clear error: serving it would commit to results of another model. So is one
 * outside the operator's policy (src/service/policy.ts: a response window too short to
 * answer a dispute in, a registration not on the allowed list).
 */
import { readFileSync } from "node:fs";
import type { Hex, PublicClient } from "viem";
import { readModel } from "../src/chain/read/registry.ts";
import type { ProtocolAddresses } from "../src/client/contracts.ts";
import { compileModel, type CompiledModel } from "../src/onnx/compile.ts";
import type { Logger } from "../src/service/logger.ts";
import { errorText } from "../src/service/logger.ts";
import type { ModelFiles } from "../src/service/modelFiles.ts";
import { modelOutsidePolicy, type OperatorPolicy } from "../src/service/policy.ts";
import { registrationProblems, type RegisteredModel } from "../src/service/registration.ts";

export type ModelVerdict =
  | {
      readonly kind: "serve";
      readonly compiled: CompiledModel;
      readonly registered: RegisteredModel;
      readonly path: string;
    }
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "not-ours" };

export class HostedModels {
  private readonly compiled = new Map<string, { compiled: CompiledModel; path: string }>();
  private readonly verdicts = new Map<string, ModelVerdict>();

  constructor(
    files: ModelFiles,
    private readonly client: PublicClient,
    private readonly addresses: ProtocolAddresses,
    private readonly log: Logger,
    private readonly policy: OperatorPolicy,
  ) {
    for (const [path, why] of files.problems()) log.error({ path, reason: why }, "model file not usable");
    for (const [hash, path] of files.entries()) {
      try {
        const c = compileModel(new Uint8Array(readFileSync(path)));
        this.compiled.set(hash.toLowerCase(), { compiled: c, path });
        log.info({ path, fileHash: c.fileHash, graphRoot: c.graphRoot, nodes: c.nodes.length }, "hosting model file");
      } catch (e) {
        log.error({ path, err: errorText(e) }, "model file refused by the loader; not serving it");
      }
    }
  }

  get count(): number {
    return this.compiled.size;
  }

  /** Every model file served, compiled. */
  files(): { readonly compiled: CompiledModel; readonly path: string }[] {
    return [...this.compiled.values()];
  }

  /** What to do with jobs of `modelId` (cached; the registration is immutable). */
  async verdict(modelId: Hex, blockHash: Hex): Promise<ModelVerdict> {
    const cached = this.verdicts.get(modelId);
    if (cached !== undefined) return cached;
    const registered = await readModel(this.client, { address: this.addresses.modelRegistry, modelId, blockHash });
    const hosted = this.compiled.get(registered.fileHash.toLowerCase());
    let v: ModelVerdict;
    if (hosted === undefined) {
      v = { kind: "not-ours" };
    } else {
      const problems = registrationProblems(registered, hosted.compiled);
      const outside = modelOutsidePolicy(modelId, registered.params, this.policy);
      if (problems.length) {
        v = { kind: "refused", reason: `registration does not match ${hosted.path}: ${problems.join("; ")}` };
        this.log.error(
          { modelId, path: hosted.path, problems },
          "refusing to serve a model whose registration does not match the file",
        );
      } else if (outside !== undefined) {
        v = { kind: "refused", reason: outside };
        this.log.error({ modelId, path: hosted.path, reason: outside }, "refusing a model outside the operator policy");
      } else {
        v = { kind: "serve", compiled: hosted.compiled, registered, path: hosted.path };
        this.log.info({ modelId, path: hosted.path }, "serving model");
      }
    }
    this.verdicts.set(modelId, v);
    return v;
  }

  /** The compiled model of a modelId already judged servable. */
  servable(modelId: Hex): CompiledModel | undefined {
    const v = this.verdicts.get(modelId);
    return v?.kind === "serve" ? v.compiled : undefined;
  }
}
