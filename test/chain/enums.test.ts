/**
 * src/chain/enums.ts against the contracts: every enum the protocol's Solidity
 * declares (parsed from contracts/**\/*.sol) has its TypeScript mirror with the same
 * names in the same order, and every custom error of the ABIs is a ProtocolErrorName.
 * Any drift — a member added, renamed or moved, an enum added, an ABI left out —
 * fails here.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import type { ContractErrorName } from "viem";
import * as abis from "../../src/chain/abis.ts";
import {
  JOB_STATUS_NAMES,
  JobStatus,
  OUTCOME_NAMES,
  Outcome,
  PHASE_NAMES,
  Phase,
  PROTOCOL_ABIS,
  PROTOCOL_ERROR_NAMES,
  REASON_NAMES,
  Reason,
  SOLIDITY_ENUMS,
  TENSOR_ROLE_NAMES,
  TensorRole,
  isProtocolErrorName,
  type ProtocolErrorName,
} from "../../src/chain/enums.ts";

const CONTRACTS = new URL("../../contracts", import.meta.url).pathname;
/** Enums there that are not the protocol's: an example consumer's own state, test helpers. */
const NOT_PROTOCOL = ["examples/", "test/"];

interface SolidityEnum {
  readonly name: string;
  readonly file: string;
  readonly members: readonly string[];
}

function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solidityFiles(join(dir, e.name)) : e.name.endsWith(".sol") ? [join(dir, e.name)] : [],
  );
}

/**
 * `enum Name { A, B, … }` declarations of one source, named as the ABI's internalType
 * names them: `Container.Name` inside a contract, interface or library, else `Name`.
 */
function parseEnums(source: string, file = "<source>"): SolidityEnum[] {
  // Comments and string literals in one pass, so that neither hides in the other.
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (m) =>
    m.startsWith("/") ? " " : '""',
  );
  const token = /\b(?:contract|interface|library)\s+(\w+)[^{;]*\{|\benum\s+(\w+)\s*\{([^}]*)\}|[{}]/g;
  const containers: { name: string; depth: number }[] = [];
  const out: SolidityEnum[] = [];
  let depth = 0;
  for (const m of code.matchAll(token)) {
    if (m[1] !== undefined) {
      containers.push({ name: m[1], depth });
      depth += 1;
    } else if (m[2] !== undefined) {
      const container = containers.at(-1)?.name;
      out.push({
        name: container === undefined ? m[2] : `${container}.${m[2]}`,
        file,
        // Group 3 is the body of the enum group 2 named: it matched with it.
        members: (m[3] ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      });
    } else if (m[0] === "{") {
      depth += 1;
    } else {
      depth -= 1;
      if (containers.at(-1)?.depth === depth) containers.pop();
    }
  }
  return out;
}

const solidity = solidityFiles(CONTRACTS).flatMap((f) => parseEnums(readFileSync(f, "utf8"), relative(CONTRACTS, f)));
const protocolEnums = solidity.filter((e) => !NOT_PROTOCOL.some((dir) => e.file.startsWith(dir)));

/** A TypeScript enum object's names, ordered by value; asserts the values are 0, 1, … with no gap. */
function namesByValue(e: Readonly<Record<string, number>>): string[] {
  const entries = Object.entries(e).sort(([, a], [, b]) => a - b);
  assert.deepEqual(
    entries.map(([, v]) => v),
    entries.map((_, i) => i),
    `values ${JSON.stringify(e)} are not 0..n-1`,
  );
  return entries.map(([name]) => name);
}

test("the parser reads enums at file level and inside contracts, and skips comments", () => {
  const parsed = parseEnums(`
    // enum Commented { X }
    enum Top { A, B }
    /* interface Fake { enum Hidden { Y } } */
    interface I {
      struct S { uint8 a; }
      function f() external;
      enum Inner {
        First, // the first
        Second
      }
    }
    library L { function g() internal pure returns (bytes memory) { return "}{"; } }
    enum After { Z }
  `);
  assert.deepEqual(
    parsed.map((e) => [e.name, e.members]),
    [
      ["Top", ["A", "B"]],
      ["I.Inner", ["First", "Second"]],
      ["After", ["Z"]],
    ],
  );
});

test("the Solidity sources declare the enums this test expects (the parse found them)", () => {
  assert.ok(protocolEnums.length >= 5, `only ${protocolEnums.map((e) => e.name).join(", ")}`);
  assert.ok(
    solidity.some((e) => e.name === "ClassifierConsumer.RequestState"),
    "examples are parsed (and skipped)",
  );
});

test("every protocol enum of the Solidity sources has a TypeScript mirror, and no other", () => {
  assert.deepEqual(
    Object.keys(SOLIDITY_ENUMS).sort(),
    protocolEnums.map((e) => e.name).sort(),
    "add the enum to src/chain/enums.ts (SOLIDITY_ENUMS), or remove the one the contracts dropped",
  );
});

for (const e of protocolEnums) {
  test(`${e.name} (${e.file}): the TypeScript enum has the same names in the same order`, () => {
    const ts = SOLIDITY_ENUMS[e.name as keyof typeof SOLIDITY_ENUMS];
    assert.ok(ts !== undefined, `${e.name} is missing from src/chain/enums.ts`);
    assert.deepEqual(namesByValue(ts), e.members);
  });
}

test("the name tables list each enum's names by value", () => {
  const tables: [Readonly<Record<string, number>>, readonly string[]][] = [
    [Phase, PHASE_NAMES],
    [Outcome, OUTCOME_NAMES],
    [Reason, REASON_NAMES],
    [JobStatus, JOB_STATUS_NAMES],
    [TensorRole, TENSOR_ROLE_NAMES],
  ];
  for (const [e, names] of tables) assert.deepEqual([...names], namesByValue(e));
  assert.equal(REASON_NAMES[Reason.NonCanonical], "NonCanonical");
});

/** Every `enum X` internalType in an ABI item's parameters, as `X`. */
function abiEnums(params: readonly unknown[] | undefined): string[] {
  return (params ?? []).flatMap((p) => {
    const q = p as { internalType?: string; components?: readonly unknown[] };
    const own = q.internalType?.startsWith("enum ") ? [q.internalType.slice("enum ".length)] : [];
    return [...own, ...abiEnums(q.components)];
  });
}

test("every enum the ABIs use is mirrored in src/chain/enums.ts", () => {
  const used = new Set(
    Object.values(abis).flatMap((abi) =>
      (abi as readonly { inputs?: readonly unknown[]; outputs?: readonly unknown[] }[]).flatMap((item) => [
        ...abiEnums(item.inputs),
        ...abiEnums(item.outputs),
      ]),
    ),
  );
  assert.ok(used.size > 0);
  for (const name of used) assert.ok(name in SOLIDITY_ENUMS, `the ABIs use enum ${name}`);
});

test("PROTOCOL_ABIS holds every ABI of src/chain/abis.ts", () => {
  const held = new Set<unknown>(Object.values(PROTOCOL_ABIS));
  for (const [name, abi] of Object.entries(abis)) assert.ok(held.has(abi), `${name} is missing from PROTOCOL_ABIS`);
});

test("every custom error of the ABIs is a ProtocolErrorName, and nothing else is", () => {
  const errors = Object.values(abis).flatMap((abi) =>
    (abi as readonly { type: string; name?: string }[]).filter((i) => i.type === "error").map((i) => i.name!),
  );
  assert.ok(errors.length > 50, `only ${errors.length} errors`);
  for (const name of errors) assert.ok(isProtocolErrorName(name), `${name} is not a ProtocolErrorName`);
  assert.deepEqual([...PROTOCOL_ERROR_NAMES].sort(), [...new Set(errors)].sort());
  assert.equal(isProtocolErrorName("NotAProtocolError"), false);
  assert.equal(isProtocolErrorName(undefined), false);
});

// Type-level: the union is the ABIs' error names, exactly — not `string`.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type AllAbis = (typeof abis)[keyof typeof abis];
const _sameUnion: Equal<ProtocolErrorName, ContractErrorName<AllAbis>> = true;
const _notString: Equal<ProtocolErrorName, string> = false;
const _known: ProtocolErrorName[] = ["NonCanonicalWord", "InsufficientFreeStake", "UnknownModel"];
// @ts-expect-error: not an error of the contracts
const _unknown: ProtocolErrorName = "NotAProtocolError";
void [_sameUnion, _notString, _known, _unknown];
