/**
 * Daemon configuration from three places, in order of precedence: command-line
 * flags, the environment (`REFUTE_*`), and a dotenv file (`.env` by default).
 * Each field is declared once — flag, environment variable, help, zod schema over
 * the raw text — so `--help`, the environment names and the validation can never
 * disagree. Every bad value is one line naming the field, where the value came from
 * and what is wrong:
 *
 *     refute: config: samplingRate: must be at most 1 (got "1.5" from --sampling-rate)
 */
import { existsSync, readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { parse as parseDotenv } from "dotenv";
import { z } from "zod";

/** Raw text of one field: a string, a list (repeatable flags), true (a bare switch), or nothing. */
export type RawValue = string | readonly string[] | boolean | undefined;

export interface FieldSpec<T> {
  /** Commander flag syntax, e.g. "--sampling-rate <x>"; omitted for environment-only fields (secrets). */
  readonly flag?: string;
  /** Environment variable (also read from the dotenv file). */
  readonly env: string;
  readonly help: string;
  /** Parses and validates the raw value (undefined when unset anywhere). */
  readonly schema: z.ZodType<T, RawValue>;
  /** A repeatable flag; in the environment, a comma-separated list. */
  readonly multiple?: boolean;
  /** Never echo the value in an error (keys). */
  readonly secret?: boolean;
  /**
   * The key of the field holding a network name: when set, `<env>_<NETWORK>`
   * (upper-cased, other characters as `_`) is read before `<env>`, so one .env can
   * hold the RPC of every network and `--network <name>` picks its own.
   */
  readonly perNetwork?: string;
}

export type FieldTable = Readonly<Record<string, FieldSpec<unknown>>>;
export type ConfigOf<F extends FieldTable> = { readonly [K in keyof F]: F[K] extends FieldSpec<infer T> ? T : never };

/** One bad value. */
export interface ConfigIssue {
  readonly field: string;
  readonly message: string;
}

/** One or more bad values; `lines()` are what the daemon prints before exiting with code 2. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join("; "));
  }

  lines(): string[] {
    return this.issues.map((i) => `refute: config: ${i.field}: ${i.message.replace(/\s+/g, " ").trim()}`);
  }
}

/** Adds every flag of a field table to a command, with the environment name in its help. */
export function addConfigOptions(cmd: Command, fields: FieldTable): Command {
  for (const spec of Object.values(fields)) {
    if (spec.flag === undefined) continue;
    const help = `${spec.help} [env ${spec.env}]`;
    const opt = new Option(spec.flag, help);
    if (spec.multiple) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    cmd.addOption(opt);
  }
  return cmd;
}

/** The help text block listing environment-only fields (secrets). */
export function envOnlyHelp(fields: FieldTable): string {
  const lines = Object.values(fields)
    .filter((s) => s.flag === undefined)
    .map((s) => `  ${s.env.padEnd(24)} ${s.help}`);
  return lines.length ? `\nEnvironment only:\n${lines.join("\n")}\n` : "";
}

export interface ConfigSources {
  /** Commander's parsed options (attribute names). */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly env: NodeJS.ProcessEnv;
  /** Path of the dotenv file; when `required` is false a missing file is fine. */
  readonly envFile?: { readonly path: string; readonly required: boolean };
}

/** Resolves and validates every field; throws a ConfigError listing every bad value. */
export function parseConfig<F extends FieldTable>(fields: F, sources: ConfigSources): ConfigOf<F> {
  const issues: ConfigIssue[] = [];
  let dotenv: Record<string, string> = {};
  if (sources.envFile !== undefined) {
    const { path, required } = sources.envFile;
    if (existsSync(path)) {
      try {
        dotenv = parseDotenv(readFileSync(path));
      } catch (e) {
        issues.push({ field: "envFile", message: `cannot read ${path}: ${(e as Error).message}` });
      }
    } else if (required) {
      issues.push({ field: "envFile", message: `${path} does not exist` });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(fields)) {
    const network = networkOf(fields, spec, sources, dotenv);
    const { raw, source } = resolveRaw(spec, sources, dotenv, network);
    const r = spec.schema.safeParse(raw);
    if (r.success) {
      out[key] = r.data;
      continue;
    }
    const message = r.error.issues[0]?.message ?? "is invalid";
    const where =
      raw === undefined
        ? spec.flag
          ? ` (set ${[flagName(spec.flag), ...envNames(spec, network)].join(", ").replace(/, ([^,]*)$/, " or $1")})`
          : ` (set ${envNames(spec, network).join(" or ")})`
        : spec.secret
          ? ` (from ${source})`
          : ` (got ${JSON.stringify(typeof raw === "boolean" ? String(raw) : raw)} from ${source})`;
    issues.push({ field: key, message: `${message}${where}` });
  }
  if (issues.length) throw new ConfigError(issues);
  return out as ConfigOf<F>;
}

function flagName(flag: string): string {
  // split always yields at least one piece: the text before the first separator.
  return flag.split(/[ ,<[]/)[0] ?? flag;
}

function attributeOf(flag: string): string {
  return new Option(flag).attributeName();
}

/** Name of the per-network variable of `env`: REFUTE_RPC_URL + sepolia → REFUTE_RPC_URL_SEPOLIA. */
export function perNetworkEnvName(env: string, network: string): string {
  return `${env}_${network.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** The variables a field is read from, most specific first. */
function envNames(spec: FieldSpec<unknown>, network: string | undefined): string[] {
  return network === undefined ? [spec.env] : [perNetworkEnvName(spec.env, network), spec.env];
}

/** The network name a `perNetwork` field refers to, if it is set (and is text). */
function networkOf(
  fields: FieldTable,
  spec: FieldSpec<unknown>,
  sources: ConfigSources,
  dotenv: Record<string, string>,
): string | undefined {
  const holder = spec.perNetwork === undefined ? undefined : fields[spec.perNetwork];
  if (holder === undefined) return undefined;
  const { raw } = resolveRaw(holder, sources, dotenv);
  return typeof raw === "string" && raw !== "" ? raw : undefined;
}

function resolveRaw(
  spec: FieldSpec<unknown>,
  sources: ConfigSources,
  dotenv: Record<string, string>,
  network?: string,
): { raw: RawValue; source: string } {
  if (spec.flag !== undefined) {
    const v = sources.flags[attributeOf(spec.flag)];
    if (v !== undefined) return { raw: v as RawValue, source: flagName(spec.flag) };
  }
  for (const name of envNames(spec, network)) {
    const fromEnv = sources.env[name];
    if (fromEnv !== undefined && fromEnv !== "") return { raw: split(spec, fromEnv), source: name };
    const fromFile = dotenv[name];
    if (fromFile !== undefined && fromFile !== "")
      return { raw: split(spec, fromFile), source: `${name} in the env file` };
  }
  return { raw: undefined, source: "default" };
}

function split(spec: FieldSpec<unknown>, text: string): RawValue {
  return spec.multiple
    ? text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : text;
}
