import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript launcher without type declarations (it must run on any Node).
import { isSupported } from "../../bin/node-runtime.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const launcher = join(root, "bin/tollgate.js");
const { version } = (await import("../../package.json", { with: { type: "json" } })).default;

describe("bin/tollgate.js, the launcher that runs the CLI on a supported Node", () => {
  it.each([
    ["20.20.2", false],
    ["22.12.0", false],
    ["22.13.0", true],
    ["23.0.0", true],
    ["24.21.0", true],
  ])("Node %s is supported: %s", (nodeVersion, supported) => {
    expect(isSupported(nodeVersion)).toBe(supported);
  });

  it("runs the CLI in-process on a supported Node", () => {
    const result = spawnSync(process.execPath, [launcher, "--version"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it("runs the CLI on the cached Node when the running one is too old, passing the exit code through", async () => {
    // A cache laid out as the npm registry's `node` package installs it, holding this very Node; the raised
    // minimum makes the running Node "too old", so the launcher must relaunch on the cached one.
    const cache = await mkdtemp(join(tmpdir(), "tollgate-node-cache-"));
    await mkdir(join(cache, "node_modules/node/bin"), { recursive: true });
    await symlink(process.execPath, join(cache, "node_modules/node/bin/node"));
    const env = { PATH: process.env.PATH, TOLLGATE_NODE_DIR: cache, TOLLGATE_NODE_MINIMUM: "999.0" };
    try {
      const ok = spawnSync(process.execPath, [launcher, "--version"], { encoding: "utf8", env });
      expect(ok.stderr).toBe("");
      expect(ok.stdout).toBe(`${version}\n`);
      expect(ok.status).toBe(0);
      const usage = spawnSync(process.execPath, [launcher, "frobnicate"], { encoding: "utf8", env });
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain("unknown command `frobnicate`");
      // Without a cached Node it installs one with npm; when that fails (here: no npm on PATH), one clear line.
      const empty = await mkdtemp(join(tmpdir(), "tollgate-node-empty-"));
      const offline = spawnSync(process.execPath, [launcher, "--version"], {
        encoding: "utf8",
        env: { ...env, TOLLGATE_NODE_DIR: join(empty, "node"), PATH: join(empty, "no-npm-here") },
      });
      expect(offline.status).toBe(1);
      expect(offline.stderr).toContain("installing Node 24 from the npm registry");
      expect(offline.stderr).toContain("could not install Node 24 from the npm registry");
      await rm(empty, { recursive: true, force: true });
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
