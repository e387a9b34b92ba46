// The `chat-max-compare` scenario (`--compare REV`): a base commit's gateway built beside this one, both measured
// with the bare proxy in every round at maximum rate, as chat-max is. The VM drifts by tens of percent between
// runs, so a change's cost or gain is read from the per-round ratio of the two builds, not from two runs.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMPARE_SCENARIO } from "./compare-report.js";
import { startGateway, type Target } from "./harness.js";
import { benchDir, stopChild } from "./processes.js";
import { type Bench, rateScenario } from "./scenarios.js";

/** The checkout this bench runs from. */
const repository = join(benchDir, "..");

function git(args: string[], cwd = repository): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * Checks `base` out into a temporary worktree and compiles its server (not its console: the bench does not load
 * it) with this checkout's node_modules; a base whose dependencies differ may not build, which is reported.
 */
function buildBase(base: string): { commit: string; root: string } {
  const commit = git(["rev-parse", "--verify", `${base}^{commit}`]);
  const root = mkdtempSync(join(tmpdir(), "tollgate-bench-base-"));
  git(["worktree", "add", "--detach", "--force", root, commit]);
  symlinkSync(join(repository, "node_modules"), join(root, "node_modules"), "dir");
  execFileSync(
    process.execPath,
    [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return { commit, root };
}

function removeBase(root: string): void {
  try {
    git(["worktree", "remove", "--force", root]);
  } catch {
    // Removed already, or never registered: the folder goes below either way.
  }
  if (existsSync(root)) rmSync(root, { recursive: true, force: true });
  git(["worktree", "prune"]);
}

/** Runs the scenario; returns the base's full commit id, or undefined when it could not be built or started. */
export async function compareScenario(
  bench: Bench,
  rounds: number,
  base: string,
): Promise<string | undefined> {
  const current = bench.targets.find((t) => t.name === "tollgate");
  const bare = bench.targets.find((t) => t.name === "bare");
  if (!current || current.notReady || !current.child) {
    bench.log(`${COMPARE_SCENARIO}: skipped, this build's gateway is not running`);
    return undefined;
  }
  bench.log(`${COMPARE_SCENARIO}: building ${base} in a temporary worktree`);
  let built: { commit: string; root: string };
  try {
    built = buildBase(base);
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    bench.log(`${COMPARE_SCENARIO}: could not build ${base}: ${stderr || (error as Error).message}`);
    return undefined;
  }
  let baseGateway: Target | undefined;
  try {
    baseGateway = await startGateway(bench.mockOrigin, { root: built.root, name: "tollgate-base" });
    if (baseGateway.notReady) {
      bench.log(`${COMPARE_SCENARIO}: the base did not start: ${baseGateway.notReady}`);
      return undefined;
    }
    const measured = [bare, baseGateway, current].filter((t): t is Target => t !== undefined);
    for (let round = 1; round <= rounds; round++)
      await rateScenario(bench, COMPARE_SCENARIO, measured, undefined, rounds > 1 ? round : undefined);
    return built.commit;
  } finally {
    if (baseGateway?.child) await stopChild(baseGateway.child);
    removeBase(built.root);
  }
}
