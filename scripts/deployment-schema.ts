/**
 * Writes deployments/schema.json, the JSON Schema of deployments/<network>.json, from
 * the zod schema in src/deployments/schema.ts (test/deployments/schema.test.ts fails
 * until the committed file matches):  node --import tsx scripts/deployment-schema.ts
 */
import { writeFileSync } from "node:fs";
import { deploymentJsonSchema } from "../src/deployments/schema.ts";

const file = new URL("../deployments/schema.json", import.meta.url);
writeFileSync(file, `${JSON.stringify(deploymentJsonSchema(), null, 2)}\n`);
console.log("wrote deployments/schema.json");
