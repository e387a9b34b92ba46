// `node scripts/with-node.js [NODE_FLAGS…] SCRIPT [ARGS…]`: runs SCRIPT on a Node.js the project
// supports (bin/node-runtime.js), so npm scripts work on a machine whose own Node is older.
import { runScript } from "../bin/node-runtime.js";

const args = process.argv.slice(2);
const scriptIndex = args.findIndex((arg) => !arg.startsWith("--"));
if (scriptIndex < 0) {
  process.stderr.write("usage: node scripts/with-node.js [NODE_FLAGS…] SCRIPT [ARGS…]\n");
  process.exit(2);
}
await runScript(args[scriptIndex], args.slice(scriptIndex + 1), args.slice(0, scriptIndex));
