import { pino, type Logger } from "pino";

export type { Logger };
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Structured JSON logs, one object per line on stdout, written synchronously so
 * nothing is lost when the process is killed. bigint values are logged as
 * decimal strings. `service` names the daemon in every line.
 */
export function createLogger(service: string, level: LogLevel): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(stringifyBigints) as Parameters<typeof method>);
        },
      },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

function stringifyBigints(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(stringifyBigints);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = stringifyBigints(v);
  return out;
}

/** A short, single-line description of an error for a log field. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const short = (e as { shortMessage?: unknown }).shortMessage;
    return (typeof short === "string" ? short : e.message).replace(/\s+/g, " ").trim();
  }
  return String(e);
}
