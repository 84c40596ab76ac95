import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { decodeModel } from "../../src/onnx/decode.ts";
import * as errors from "../../src/onnx/errors.ts";
import { LimitExceededError, ModelValidationError, type ModelErrorClassName } from "../../src/onnx/errors.ts";
import { Limits } from "../../src/onnx/limits.ts";
import { loadModel } from "../../src/onnx/load.ts";
import { Rng } from "../../src/vectors/rng.ts";
import { GraphBuilder } from "../../src/onnx/builder.ts";
import { DType } from "../../src/tensor/dtype.ts";
import { mlpModel } from "./models.ts";
import { CORPUS, runCli } from "./runCli.ts";

interface ManifestEntry {
  readonly file: string;
  readonly error: ModelErrorClassName;
  readonly code: string;
  readonly what: string;
}

const manifest = JSON.parse(readFileSync(join(CORPUS, "manifest.json"), "utf8")) as ManifestEntry[];

function errorClass(name: ModelErrorClassName): abstract new (...args: never[]) => ModelValidationError {
  return errors[name];
}

describe("hostile corpus (test/fixtures/hostile, written by make.ts)", () => {
  it("holds at least 15 files, each listed in the manifest", () => {
    const files = readdirSync(CORPUS)
      .filter((f) => f.endsWith(".onnx"))
      .sort();
    assert.ok(files.length >= 15, `only ${files.length} files`);
    assert.deepEqual(files, manifest.map((m) => m.file).sort());
  });

  for (const entry of manifest) {
    it(`${entry.file} (${entry.what}) is refused with ${entry.error} ${entry.code}`, () => {
      const bytes = new Uint8Array(readFileSync(join(CORPUS, entry.file)));
      assert.throws(
        () => loadModel(bytes),
        (e: unknown) => {
          assert.ok(e instanceof errorClass(entry.error), `got ${(e as Error).name}: ${(e as Error).message}`);
          assert.ok(e instanceof ModelValidationError);
          assert.equal(e.name, entry.error);
          assert.equal(e.code, entry.code, e.message);
          return true;
        },
      );
    });
  }

  it("`refute model inspect` over the whole corpus in one child process: one `refute: <code>: <file>: …` line each, exit 2, no stack", async () => {
    const files = manifest.map((m) => join(CORPUS, m.file));
    const r = await runCli(["model", "inspect", ...files]);
    assert.equal(r.signal, null, `killed by ${r.signal}`);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.doesNotMatch(r.stderr, /\n\s+at /, "printed a stack");
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, manifest.length, r.stderr);
    manifest.forEach((m, i) => assert.ok(lines[i]?.startsWith(`refute: ${m.code}: ${files[i]}: `), lines[i]));
  });

  it("`refute model inspect <file>` exits 2 with one line per hostile file, each in its own process", async () => {
    const picks = [
      "empty.onnx",
      "random-bytes.onnx",
      "ten-thousand-nodes.onnx",
      "external-data.onnx",
      "constant-of-shape-huge.onnx",
    ];
    const results = await Promise.all(picks.map((f) => runCli(["model", "inspect", join(CORPUS, f)])));
    results.forEach((r, i) => {
      const entry = manifest.find((m) => m.file === picks[i]) as ManifestEntry;
      assert.equal(r.signal, null);
      assert.equal(r.code, 2, `${picks[i]}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^refute: ${entry.code}: [^\n]+\n$`), picks[i]);
    });
  });
});

describe("bounds checked before allocation", () => {
  it("refuses a file over 64 MiB before decoding it", () => {
    assert.throws(
      () => decodeModel(new Uint8Array(Limits.MAX_FILE_BYTES + 1)),
      (e: unknown) => e instanceof LimitExceededError && e.code === "FILE_TOO_LARGE",
    );
  });

  it("refuses a packed int64 field of millions of one-byte varints before protobufjs expands it", () => {
    // TensorProto{ name: "k", data_type: 7, int64_data: [0 × (MAX_WIRE_ITEMS + 1)] } inside a GraphProto inside a ModelProto.
    const count = Limits.MAX_WIRE_ITEMS + 1;
    const varint = (n: number) => {
      const out: number[] = [];
      while (n >= 0x80) {
        out.push((n & 0x7f) | 0x80);
        n = Math.floor(n / 128);
      }
      out.push(n);
      return out;
    };
    const head = [0x42, 0x01, 0x6b, 0x10, 0x07, 0x3a, ...varint(count)];
    const tensorLen = head.length + count;
    const graphHead = [0x2a, ...varint(tensorLen)];
    const modelHead = [0x08, 0x08, 0x3a, ...varint(graphHead.length + tensorLen)];
    const bytes = new Uint8Array(modelHead.length + graphHead.length + tensorLen);
    bytes.set([...modelHead, ...graphHead, ...head]);
    assert.throws(
      () => loadModel(bytes),
      (e: unknown) => e instanceof LimitExceededError && e.code === "PROTOBUF_TOO_COMPLEX",
    );
  });

  it("accepts 4096 nodes and refuses 4097", () => {
    const chain = (n: number) => {
      const b = new GraphBuilder({ opset: 13 }).input("x", DType.INT8, [1, 4]);
      for (let i = 0; i < n; i++) b.node("Identity", [i === 0 ? "x" : `v${i - 1}`], [`v${i}`]);
      return b.output(`v${n - 1}`, DType.INT8, [1, 4]).build();
    };
    assert.equal(loadModel(chain(Limits.MAX_NODES)).nodes.length, Limits.MAX_NODES);
    assert.throws(
      () => loadModel(chain(Limits.MAX_NODES + 1)),
      (e: unknown) => e instanceof LimitExceededError && e.code === "TOO_MANY_NODES" && e.limit === "4096",
    );
  });
});

describe("mutated models", () => {
  it("every truncation and bit flip of a valid model loads or is refused with a ModelValidationError", () => {
    const base = Uint8Array.from(mlpModel());
    const rng = new Rng(2024);
    const mutants: Uint8Array[] = [];
    for (let cut = 0; cut < base.length; cut += 7) mutants.push(base.slice(0, cut));
    // REFUTE_DEEP=1 (npm run test:deep) runs a real fuzz campaign.
    const flips = process.env["REFUTE_DEEP"] === "1" ? 50_000 : 600;
    for (let i = 0; i < flips; i++) {
      const m = base.slice();
      const pos = rng.int(m.length);
      const byte = m[pos];
      assert.ok(byte !== undefined);
      m[pos] = byte ^ (1 << rng.int(8));
      mutants.push(m);
    }
    let accepted = 0;
    for (const m of mutants) {
      try {
        loadModel(m);
        accepted++;
      } catch (e) {
        assert.ok(e instanceof ModelValidationError, `unexpected ${(e as Error).stack}`);
      }
    }
    assert.ok(accepted > 0 && accepted < mutants.length);
  });
});
