/**
 * Writes schema/tollgate.schema.json, the JSON Schema of tollgate.jsonc, from the zod schema
 * (src/config/schema/json-schema.ts). Run: npm run schema (node --experimental-strip-types
 * scripts/generate-config-schema.ts). A test fails while the committed file differs from a fresh one.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { registerHooks } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

// Type stripping does not map the `.js` import specifiers of src/ (docs/CONVENTIONS.md) onto its `.ts` files, and
// the schema must come from the source, not from a dist/ that may be stale; so our relative imports are mapped here.
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (
      specifier.startsWith(".") &&
      specifier.endsWith(".js") &&
      !context.parentURL?.includes("/node_modules/")
    ) {
      const candidate = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
      if (existsSync(fileURLToPath(candidate))) return nextResolve(candidate.href, context);
    }
    return nextResolve(specifier, context);
  },
});

const { CONFIG_SCHEMA_FILE, renderTollgateJsonSchema } = await import("../src/config/schema/json-schema.js");

const target = fileURLToPath(new URL(`../${CONFIG_SCHEMA_FILE}`, import.meta.url));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderTollgateJsonSchema());
// `npm run lint` checks the file's formatting, and Biome writes short arrays on one line where JSON.stringify does
// not; the test compares parsed content, so formatting is Biome's alone.
const biome = fileURLToPath(new URL("../node_modules/@biomejs/biome/bin/biome", import.meta.url));
execFileSync(process.execPath, [biome, "format", "--write", target], { stdio: "ignore" });
console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
