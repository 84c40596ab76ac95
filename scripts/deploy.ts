/**
 * `npm run deploy -- --network <name> [flags]`: the same as `refute deploy`
 * (src/cli/deploy.ts), for those who drive deployments through npm scripts.
 */
import { main } from "../src/cli/main.ts";

process.exitCode = await main([process.argv[0] ?? process.execPath, "refute", "deploy", ...process.argv.slice(2)]);
