/**
 * Zod schemas over raw configuration text (see config.ts), one per kind of value.
 * Each returns a clear "<problem>" phrase; config.ts adds the field and the source.
 */
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { z } from "zod";
import type { RawValue } from "./config.ts";

type Check<T> = (raw: RawValue) => { ok: T } | { error: string };

/** A schema from a check function over the raw value. */
export function field<T>(check: Check<T>): z.ZodType<T, RawValue> {
  return z
    .custom<RawValue>(() => true)
    .transform((raw, ctx) => {
      const r = check(raw);
      if ("error" in r) {
        ctx.addIssue({ code: "custom", message: r.error });
        return z.NEVER;
      }
      return r.ok;
    });
}

function one(raw: RawValue): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === "boolean") return String(raw);
  if (typeof raw === "string") return raw.trim();
  return raw[raw.length - 1]?.trim();
}

function many(raw: RawValue): string[] | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === "boolean") return [String(raw)];
  if (typeof raw === "string")
    return raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  return raw
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
}

export function text(options: { default?: string } = {}): z.ZodType<string, RawValue> {
  return field<string>((raw) => {
    const v = one(raw) ?? options.default;
    return v === undefined || v === "" ? { error: "is required" } : { ok: v };
  });
}

export function optionalText(): z.ZodType<string | undefined, RawValue> {
  return field((raw) => ({ ok: one(raw) || undefined }));
}

export interface NumberOptions {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly default?: number;
}

export function number(o: NumberOptions & { optional?: false }): z.ZodType<number, RawValue>;
export function number(o: NumberOptions & { optional: true }): z.ZodType<number | undefined, RawValue>;
export function number(o: NumberOptions & { optional?: boolean }): z.ZodType<number | undefined, RawValue> {
  return field<number | undefined>((raw) => {
    const s = one(raw);
    if (s === undefined) {
      if (o.default !== undefined || o.optional) return { ok: o.default };
      return { error: "is required" };
    }
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return { error: "is not a number" };
    const n = Number(s);
    if (o.integer && !Number.isSafeInteger(n)) return { error: "must be a whole number" };
    if (o.min !== undefined && n < o.min) return { error: `must be at least ${o.min}` };
    if (o.max !== undefined && n > o.max) return { error: `must be at most ${o.max}` };
    return { ok: n };
  });
}

/** A TCP port on 127.0.0.1; 0 means "off" where `offIsZero`. */
export function port(o: { default?: number } = {}): z.ZodType<number, RawValue> {
  return number({ min: 0, max: 65535, integer: true, default: o.default });
}

/** A token amount in base units: decimal digits or `<n>e<k>` (e.g. 100e18). */
export function amount(o: { default?: bigint; optional?: false }): z.ZodType<bigint, RawValue>;
export function amount(o: { optional: true }): z.ZodType<bigint | undefined, RawValue>;
export function amount(o: { default?: bigint; optional?: boolean }): z.ZodType<bigint | undefined, RawValue> {
  return field((raw) => {
    const s = one(raw);
    if (s === undefined) {
      if (o.default !== undefined || o.optional) return { ok: o.default };
      return { error: "is required" };
    }
    const plain = /^\d+$/.exec(s);
    if (plain) return { ok: BigInt(s) };
    const [, digits, exponent] = /^(\d+)e(\d+)$/i.exec(s) ?? [];
    if (digits !== undefined && exponent !== undefined && Number(exponent) <= 77) {
      return { ok: BigInt(digits) * 10n ** BigInt(exponent) };
    }
    return { error: "is not an amount in base units (digits, or e.g. 100e18)" };
  });
}

export function boolean(o: { default: boolean }): z.ZodType<boolean, RawValue> {
  return field<boolean>((raw) => {
    if (raw === undefined) return { ok: o.default };
    if (raw === true) return { ok: true };
    const s = one(raw)?.toLowerCase();
    if (s === "1" || s === "true" || s === "yes") return { ok: true };
    if (s === "0" || s === "false" || s === "no") return { ok: false };
    return { error: "must be true or false" };
  });
}

export function choice<const T extends string>(values: readonly T[], o: { default?: T } = {}): z.ZodType<T, RawValue> {
  return field<T>((raw) => {
    const s = one(raw) ?? o.default;
    if (s === undefined) return { error: `is required (one of ${values.join(", ")})` };
    return (values as readonly string[]).includes(s)
      ? { ok: s as T }
      : { error: `must be one of ${values.join(", ")}` };
  });
}

export function choiceList<const T extends string>(values: readonly T[]): z.ZodType<T[], RawValue> {
  return field<T[]>((raw) => {
    const items = many(raw) ?? [];
    const bad = items.find((s) => !(values as readonly string[]).includes(s));
    return bad !== undefined
      ? { error: `${JSON.stringify(bad)} is not one of ${values.join(", ")}` }
      : { ok: items as T[] };
  });
}

export function urlList(o: { required: boolean }): z.ZodType<string[], RawValue> {
  return field<string[]>((raw) => {
    const items = many(raw) ?? [];
    if (items.length === 0) return o.required ? { error: "is required (at least one http(s) URL)" } : { ok: [] };
    for (const s of items) {
      let u: URL;
      try {
        u = new URL(s);
      } catch {
        return { error: `${JSON.stringify(s)} is not a URL` };
      }
      if (u.protocol !== "http:" && u.protocol !== "https:")
        return { error: `${JSON.stringify(s)} is not an http(s) URL` };
    }
    return { ok: items };
  });
}

/** One http(s) URL, or nothing. */
export function optionalUrl(): z.ZodType<string | undefined, RawValue> {
  return field((raw) => {
    const s = one(raw);
    if (s === undefined || s === "") return { ok: undefined };
    const problem = httpUrlProblem(s);
    return problem === undefined ? { ok: s } : { error: problem };
  });
}

/** `<address>=<url>` pairs (repeatable): a URL per 20-byte address, keyed by the lower-cased address. */
export function addressUrlMap(): z.ZodType<ReadonlyMap<Address, string>, RawValue> {
  return field<ReadonlyMap<Address, string>>((raw) => {
    const out = new Map<Address, string>();
    for (const item of many(raw) ?? []) {
      const at = item.indexOf("=");
      const address = item.slice(0, at).trim();
      const url = item.slice(at + 1).trim();
      if (at < 0 || !isAddress(address, { strict: false }))
        return { error: `${JSON.stringify(item)} is not <address>=<url> with a 20-byte hex address` };
      const problem = httpUrlProblem(url);
      if (problem !== undefined) return { error: problem };
      const key = address.toLowerCase() as Address;
      if (out.has(key)) return { error: `${address} is given twice` };
      out.set(key, url);
    }
    return { ok: out };
  });
}

function httpUrlProblem(s: string): string | undefined {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return `${JSON.stringify(s)} is not a URL`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return `${JSON.stringify(s)} is not an http(s) URL`;
  return undefined;
}

export function optionalAddress(): z.ZodType<Address | undefined, RawValue> {
  return field((raw) => {
    const s = one(raw);
    if (s === undefined || s === "") return { ok: undefined };
    return isAddress(s, { strict: false }) ? { ok: getAddress(s) } : { error: "is not a 20-byte hex address" };
  });
}

export function addressList(): z.ZodType<Address[], RawValue> {
  return field<Address[]>((raw) => {
    const items = many(raw) ?? [];
    const bad = items.find((s) => !isAddress(s, { strict: false }));
    return bad !== undefined
      ? { error: `${JSON.stringify(bad)} is not a 20-byte hex address` }
      : { ok: items.map((s) => getAddress(s)) };
  });
}

/** 32-byte hex values (e.g. modelIds), lower-cased. */
export function bytes32List(): z.ZodType<Hex[], RawValue> {
  return field<Hex[]>((raw) => {
    const items = many(raw) ?? [];
    const bad = items.find((s) => !isHex(s) || s.length !== 66);
    return bad !== undefined
      ? { error: `${JSON.stringify(bad)} is not 32 bytes of 0x-prefixed hex` }
      : { ok: items.map((s) => s.toLowerCase() as Hex) };
  });
}

/** A secp256k1 private key: 32 bytes of hex, with or without 0x. Never echoed. */
export function privateKey(): z.ZodType<Hex, RawValue> {
  return field<Hex>((raw) => {
    const s = one(raw);
    if (s === undefined) return { error: "is required" };
    const hex = (s.startsWith("0x") ? s : `0x${s}`) as Hex;
    if (!isHex(hex) || hex.length !== 66) return { error: "must be 32 bytes of hex (64 hex digits)" };
    const k = BigInt(hex);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    if (k === 0n || k >= n) return { error: "is not a valid secp256k1 private key" };
    return { ok: hex };
  });
}

export function pathList(): z.ZodType<string[], RawValue> {
  return field<string[]>((raw) => ({ ok: many(raw) ?? [] }));
}

/** Host names or host:port pairs (no scheme, no path). */
export function hostList(): z.ZodType<string[], RawValue> {
  return field<string[]>((raw) => {
    const items = many(raw) ?? [];
    for (const h of items) {
      let u: URL;
      try {
        u = new URL(`http://${h}`);
      } catch {
        return { error: `${JSON.stringify(h)} is not a host name or host:port` };
      }
      if (u.host !== h.toLowerCase() || u.pathname !== "/")
        return { error: `${JSON.stringify(h)} is not a host name or host:port` };
    }
    return { ok: items.map((h) => h.toLowerCase()) };
  });
}
