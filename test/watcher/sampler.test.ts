import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Hex } from "viem";
import { Sampler } from "../../watcher/sampler.ts";

const H: Hex = `0x${"ab".repeat(32)}`;
const secret = (b: number) => Buffer.alloc(32, b);

describe("sampler", () => {
  it("samples about `rate` of the jobs", () => {
    const s = new Sampler(secret(1), { rate: 0.25, alwaysCheckNewProviders: 0 });
    let n = 0;
    for (let j = 0n; j < 4000n; j++)
      if (s.decide({ jobId: j, commitmentHash: H, fee: 0n, providerSeen: 99 }).sampled) n++;
    assert.ok(n > 850 && n < 1150, `${n} of 4000`);
  });

  it("makes the same choices after a restart (same secret) and other choices under another secret", () => {
    const a = new Sampler(secret(1), { rate: 0.5, alwaysCheckNewProviders: 0 });
    const b = new Sampler(secret(1), { rate: 0.5, alwaysCheckNewProviders: 0 });
    const c = new Sampler(secret(2), { rate: 0.5, alwaysCheckNewProviders: 0 });
    const draws = (s: Sampler) => Array.from({ length: 64 }, (_, i) => s.draw(BigInt(i), H));
    assert.deepEqual(draws(a), draws(b));
    assert.notDeepEqual(draws(a), draws(c));
  });

  it("always checks a fee at or above the threshold and providers seen fewer than N times", () => {
    const s = new Sampler(secret(3), { rate: 0, alwaysCheckFee: 5n, alwaysCheckNewProviders: 2 });
    assert.deepEqual(s.decide({ jobId: 1n, commitmentHash: H, fee: 5n, providerSeen: 10 }), {
      sampled: true,
      rule: "fee",
    });
    assert.deepEqual(s.decide({ jobId: 1n, commitmentHash: H, fee: 4n, providerSeen: 1 }), {
      sampled: true,
      rule: "new-provider",
    });
    assert.deepEqual(s.decide({ jobId: 1n, commitmentHash: H, fee: 4n, providerSeen: 2 }), {
      sampled: false,
      rule: "skip",
    });
  });

  it("refuses a short secret", () => {
    assert.throws(() => new Sampler(Buffer.alloc(4), { rate: 1, alwaysCheckNewProviders: 0 }), RangeError);
  });
});
