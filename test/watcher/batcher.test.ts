import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { Batcher } from "../../watcher/batcher.ts";

describe("batcher", () => {
  it("hands a group over as soon as it is full, per key", () => {
    const out: [string, number[]][] = [];
    const b = new Batcher<number>(3, 200, (k, items) => out.push([k, items]));
    for (const [k, i] of [
      ["a", 1],
      ["b", 2],
      ["a", 3],
      ["a", 4],
      ["b", 5],
    ] as const)
      b.add(k, i);
    assert.deepEqual(out, [["a", [1, 3, 4]]]);
    assert.equal(b.pending, 2);
    b.clear();
  });

  it("hands a group that is not full over after the wait, counted from its first item", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const out: [string, number[]][] = [];
      const b = new Batcher<number>(64, 200, (k, items) => out.push([k, items]));
      b.add("a", 1);
      mock.timers.tick(150);
      b.add("a", 2);
      b.add("b", 3);
      assert.deepEqual(out, []);
      mock.timers.tick(50);
      assert.deepEqual(out, [["a", [1, 2]]]);
      mock.timers.tick(150);
      assert.deepEqual(out, [
        ["a", [1, 2]],
        ["b", [3]],
      ]);
      assert.equal(b.pending, 0);
    } finally {
      mock.timers.reset();
    }
  });

  it("clear drops waiting items without handing them over", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const out: number[][] = [];
      const b = new Batcher<number>(64, 200, (_, items) => out.push(items));
      b.add("a", 1);
      assert.deepEqual(b.clear(), [1]);
      mock.timers.tick(1000);
      assert.deepEqual(out, []);
    } finally {
      mock.timers.reset();
    }
  });
});
