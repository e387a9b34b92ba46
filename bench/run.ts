// Entry point of `npm run bench` (run with scripts/ts-imports.mjs preloaded, which maps `.js` imports to `.ts`).
const { main } = await import("./main.js");
process.exitCode = await main(process.argv.slice(2));
