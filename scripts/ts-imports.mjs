// Preloaded (`node --experimental-strip-types --import ./scripts/ts-imports.mjs …`) by the scripts that run the
// repository's .ts files directly (the bench, the chaos run): Node's type stripping does not map the `.js`
// import specifiers the project uses (docs/CONVENTIONS.md) onto `.ts` files, so this resolve hook does, for
// relative imports from bench/ and test/ only.
import { existsSync } from "node:fs";
import { registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

const roots = ["/bench/", "/test/"];

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (
      specifier.startsWith(".") &&
      specifier.endsWith(".js") &&
      parent &&
      roots.some((root) => parent.includes(root))
    ) {
      const candidate = new URL(`${specifier.slice(0, -3)}.ts`, parent);
      if (existsSync(fileURLToPath(candidate))) return nextResolve(candidate.href, context);
    }
    return nextResolve(specifier, context);
  },
});
