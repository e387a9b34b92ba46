// Runs Tollgate's scripts on a Node.js it supports (>= 22.13), whatever Node started them.
// Plain JavaScript that any Node from 18 on can load: it is what runs first on an old machine.
// When the running Node is too old, Node 24 is installed once from the npm registry's `node` package
// into a cache folder (shared by every clone) and the script is run there as a child process.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// TOLLGATE_NODE_MINIMUM raises the bar (tests use it to take the relaunch path on any machine).
const MINIMUM = (process.env.TOLLGATE_NODE_MINIMUM ?? "22.13").split(".").map(Number);
const PROVISIONED_MAJOR = "24";

export function isSupported(version = process.versions.node) {
  const [major, minor] = version.split(".").map(Number);
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= (MINIMUM[1] ?? 0));
}

export function cacheDir(env = process.env) {
  if (env.TOLLGATE_NODE_DIR) return env.TOLLGATE_NODE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "tollgate-node");
}

function say(line) {
  process.stderr.write(`tollgate: ${line}\n`);
}

/** The path of a supported node binary: this one, the cached one, or one installed now. */
export function supportedNode(env = process.env) {
  if (isSupported()) return process.execPath;
  const dir = cacheDir(env);
  const binary = join(dir, "node_modules", "node", "bin", process.platform === "win32" ? "node.exe" : "node");
  if (existsSync(binary)) return binary;
  say(
    `Node ${process.versions.node} is older than ${MINIMUM.join(".")}; installing Node ${PROVISIONED_MAJOR} from the npm registry into ${dir} (once, about 60 MB)`,
  );
  // Installed beside the target and renamed into place, so two processes starting at once cannot
  // leave a half-installed runtime behind.
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // Without a package.json here npm would install into the nearest ancestor project instead.
  writeFileSync(join(staging, "package.json"), '{"private":true}\n');
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(
    npm,
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--no-save",
      "--no-update-notifier",
      "--loglevel=error",
      `node@${PROVISIONED_MAJOR}`,
    ],
    { cwd: staging, stdio: ["ignore", "ignore", "inherit"], shell: process.platform === "win32" },
  );
  if (result.status !== 0 || !existsSync(join(staging, "node_modules", "node", "bin"))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `could not install Node ${PROVISIONED_MAJOR} from the npm registry (${result.error ? result.error.message : `npm exited with ${result.status ?? result.signal}`}); install Node ${MINIMUM.join(".")} or newer yourself`,
    );
  }
  try {
    mkdirSync(dirname(dir), { recursive: true });
    renameSync(staging, dir);
  } catch (error) {
    // Another process won the race; its runtime is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  if (!existsSync(binary)) throw new Error(`the installed Node has no binary at ${binary}`);
  return binary;
}

/**
 * Runs a JavaScript file with arguments on a supported Node: in this process when it qualifies (and no
 * Node flags are needed), else in a child on the provisioned Node, forwarding signals and the exit status.
 */
export async function runScript(script, args, nodeFlags = []) {
  const scriptPath = script instanceof URL ? fileURLToPath(script) : script;
  if (isSupported() && nodeFlags.length === 0) {
    process.argv = [process.execPath, scriptPath, ...args];
    await import(pathToFileURL(scriptPath).href);
    return;
  }
  let node;
  try {
    node = supportedNode();
  } catch (error) {
    say(error.message);
    process.exit(1);
  }
  // Children that run `node` by name (test helpers, npm scripts) find the same runtime first.
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}` };
  const child = spawn(node, [...nodeFlags, scriptPath, ...args], { stdio: "inherit", env });
  const forward = (signal) => {
    // A terminal's Ctrl-C already reaches the whole foreground group; sending it again would count twice.
    if (signal === "SIGINT" && process.stdin.isTTY) return;
    child.kill(signal);
  };
  const forwarded = ["SIGTERM", "SIGINT", "SIGHUP"];
  for (const signal of forwarded) process.on(signal, () => forward(signal));
  child.on("exit", (code, signal) => {
    if (signal) {
      // Die of the same signal, so a supervisor sees what happened: our own forwarding handlers must go first.
      for (const name of forwarded) process.removeAllListeners(name);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

// `node bin/node-runtime.js`: make sure a supported Node exists and print the folder of its binary
// (scripts/node-env.sh puts it on PATH; `npm install` runs it so the download happens at install time).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const node = supportedNode();
    if (process.argv.includes("--after-install")) {
      if (node !== process.execPath) {
        say(
          `npm's EBADENGINE warnings above are expected on Node ${process.versions.node}: \`npm start\`, \`npm test\` and \`npx tollgate\` run on ${node}`,
        );
      }
    } else {
      process.stdout.write(`${dirname(node)}\n`);
    }
  } catch (error) {
    say(error.message);
    process.exit(1);
  }
}
