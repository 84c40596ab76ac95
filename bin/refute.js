#!/usr/bin/env node
// Launcher: lets Node load the TypeScript sources directly (tsx), then runs the CLI.
import "./node-version.js";
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
