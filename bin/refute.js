#!/usr/bin/env node
// Launcher: lets Node load the TypeScript sources directly (tsx), then runs the CLI.
import "./node-version.js";
import { register } from "tsx/esm/api";

register();
// A closed pipe (`refute --help | head`) ends the output, not the program with a stack trace.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
const { refute } = await import("./cli.ts");
process.exitCode = await refute(process.argv);
