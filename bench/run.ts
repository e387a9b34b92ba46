// Entry point of `npm run bench`. Node's type stripping runs the bench's .ts files directly but does not map
// the `.js` import specifiers the project uses (docs/CONVENTIONS.md) onto `.ts` files, so this registers a
// resolve hook that does, for relative imports from bench/ only, before loading the rest.
import { existsSync } from "node:fs";
import { registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith(".") && specifier.endsWith(".js") && context.parentURL?.includes("/bench/")) {
      const candidate = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
      if (existsSync(fileURLToPath(candidate))) return nextResolve(candidate.href, context);
    }
    return nextResolve(specifier, context);
  },
});

const { main } = await import("./main.js");
process.exitCode = await main(process.argv.slice(2));
