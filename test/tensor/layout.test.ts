import { test } from "node:test";
import assert from "node:assert/strict";
import { DType } from "../../src/tensor/dtype.ts";
import { Layout, committedPosition } from "../../src/tensor/spec.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { TensorCommitment, elementFromWords } from "../../src/tensor/commitment.ts";
import { pack, unpack } from "../../src/tensor/packing.ts";

test("a transposed [K, N] tensor commits each column as one contiguous run", () => {
  const K = 70;
  const N = 3;
  const values = Array.from({ length: K * N }, (_, i) => BigInt((i * 37) % 256) - 128n);
  const t = Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.TRANSPOSED, shape: [K, N] }, values);
  const c = new TensorCommitment(t);
  for (let n = 0; n < N; n++) {
    const o = c.openPositions(n * K, K);
    for (let k = 0; k < K; k++) {
      assert.equal(committedPosition(t.spec, k * N + n), n * K + k);
      assert.equal(elementFromWords(t.spec, o.firstWord, o.words, n * K + k), values[k * N + n]);
    }
  }
});

test("packing is big-endian two's complement and round-trips for every dtype", () => {
  const cases = [
    { dtype: DType.INT8, values: [-128n, -1n, 0n, 127n], hex: "80ff007f" },
    { dtype: DType.UINT8, values: [0n, 255n], hex: "00ff" },
    { dtype: DType.INT32, values: [-2n, 258n], hex: "fffffffe00000102" },
    { dtype: DType.INT64, values: [-1n], hex: "ffffffffffffffff" },
  ] as const;
  for (const { dtype, values, hex } of cases) {
    const spec = { dtype, layout: Layout.ROW_MAJOR, shape: [values.length] };
    const packed = pack(Tensor.fromBigInts(spec, [...values]));
    assert.equal(Buffer.from(packed).toString("hex"), hex);
    assert.deepEqual(unpack(spec, packed).toBigInts(), [...values]);
  }
});

test("a different shape or dtype over the same bytes gives a different root", () => {
  const a = new TensorCommitment(
    Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [4] }, [1n, 2n, 3n, 4n]),
  );
  const b = new TensorCommitment(
    Tensor.fromBigInts({ dtype: DType.INT8, layout: Layout.ROW_MAJOR, shape: [2, 2] }, [1n, 2n, 3n, 4n]),
  );
  const c = new TensorCommitment(
    Tensor.fromBigInts({ dtype: DType.UINT8, layout: Layout.ROW_MAJOR, shape: [4] }, [1n, 2n, 3n, 4n]),
  );
  assert.equal(a.dataRoot, b.dataRoot);
  assert.notEqual(a.root, b.root);
  assert.notEqual(a.root, c.root);
});
