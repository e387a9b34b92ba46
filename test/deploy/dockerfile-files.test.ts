import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";
import type { Copy, Healthcheck, JSONInstruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript launcher without type declarations (it must run on any Node).
import { isSupported } from "../../bin/node-runtime.js";
import {
  copySources,
  dockerfileStages,
  dockerIgnores,
  instructionsOf,
  repoPathOf,
  type Stage,
  words,
} from "./dockerfile-stages.js";
import { nodeScriptOf, runHealthcheck } from "./healthcheck-command.js";

/**
 * The root Dockerfile (issue 18), read with a Dockerfile parser: no daemon builds it here, so what can be checked
 * without one is: it parses cleanly, the image is a slim Node 24 running as a non-root user with `tollgate serve`
 * in exec form under tini, it ships no dev dependencies, every file it copies exists once `npm run build` has run,
 * and its health check, run here, asks the port it is told.
 */

const root = join(import.meta.dirname, "../..");
const text = readFileSync(join(root, "Dockerfile"), "utf8");
const stages = dockerfileStages(text);
const runtime = stages.at(-1)!;
const stageNamed = (name: string | undefined): Stage => {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`no stage named ${name}`);
  return stage;
};
const runs = (stage: Stage) => instructionsOf(stage, "RUN").map((run) => run.getArgumentsContent() ?? "");
const workdirOf = (stage: Stage) => {
  const workdir = instructionsOf(stage, "WORKDIR").at(-1);
  return workdir && words(workdir)[0]!;
};
/** Whether a stage's RUN installs the Debian package `name` (apt-get, without recommended packages). */
const installsDebianPackage = (stage: Stage, name: string) =>
  runs(stage).some((run) =>
    new RegExp(`\\bapt-get install\\b(?=.*--no-install-recommends)[^&|;]*\\s${name}(\\s|$)`).test(run),
  );
const jsonWords = (instruction: JSONInstruction) =>
  instruction.getJSONStrings().map((word) => word.getJSONValue());

describe("Dockerfile", () => {
  it("has no problem a Dockerfile linter finds (which does find one in a broken file)", () => {
    expect(validate(text)).toEqual([]);
    expect(validate("FROM node:24-bookworm-slim\nEXPOSE port-eighty\nENTRYPOINT\n").length).toBeGreaterThan(
      0,
    );
  });

  it("builds in stages and ships a slim Node 24 image whose Node runs Tollgate without downloading another", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.from.getImageName()).toBe("node");
    const tag = runtime.from.getImageTag() ?? "";
    expect(tag).toMatch(/^24(\.\d+)*-([a-z]+-)?slim$/);
    // bin/node-runtime.js installs another Node at start only when the running one is too old.
    expect(isSupported(`${tag.split(/[.-]/)[0]}.0.0`)).toBe(true);
    // Every stage builds on the same Node, so native modules built in one run in the other.
    expect(new Set(stages.map((stage) => stage.from.getImage()))).toEqual(new Set([runtime.from.getImage()]));
  });

  it("builds with npm ci and npm run build, and installs production dependencies without dev ones", () => {
    const build = stages.find((stage) => runs(stage).some((run) => /\bnpm run build\b/.test(run)));
    expect(build, "a stage runs npm run build").toBeDefined();
    expect(runs(build!).some((run) => /\bnpm ci\b/.test(run))).toBe(true);
    // The runtime stage runs nothing itself (no npm, no network when the image is built or started).
    expect(runs(runtime)).toEqual([]);
    const copies = instructionsOf(runtime, "COPY") as Copy[];
    const modules = copies
      .map(copySources)
      .find(({ sources }) => sources.some((s) => /node_modules\/?$/.test(s)));
    expect(modules, "node_modules comes from another stage").toBeDefined();
    const deps = stageNamed(modules!.from);
    expect(runs(deps).some((run) => /\bnpm ci\b.*--omit=dev\b/.test(run))).toBe(true);
    const distCopy = copies.map(copySources).find(({ sources }) => sources.some((s) => /\/dist\/?$/.test(s)));
    expect(distCopy?.from).toBe(build!.name);
  });

  it("runs `node bin/tollgate.js serve` in exec form under tini as a non-root user, on 0.0.0.0:8080, with the config mounted", () => {
    const entrypoint = instructionsOf(runtime, "ENTRYPOINT").at(-1) as JSONInstruction;
    // Exec form: JSON, no shell between Docker and tini. tini is PID 1 and passes SIGTERM on to Node, which as
    // PID 1 would ignore it until its handler is installed, after start-up.
    expect(entrypoint.getRawArgumentsContent()?.trim().startsWith("[")).toBe(true);
    expect(jsonWords(entrypoint)).toEqual(["/usr/bin/tini", "--", "node", "bin/tollgate.js", "serve"]);
    const tini = (instructionsOf(runtime, "COPY") as Copy[]).find(
      (copy) => words(copy).at(-1) === "/usr/bin/tini",
    );
    expect(tini, "tini is copied to /usr/bin/tini").toBeDefined();
    const { from, sources } = copySources(tini!);
    expect(sources).toEqual(["/usr/bin/tini"]);
    // Debian's package (its /usr/bin/tini), on the runtime's own base, whose libc it links against.
    expect(installsDebianPackage(stageNamed(from), "tini")).toBe(true);
    expect(installsDebianPackage(stageNamed(from), "tinyproxy")).toBe(false);
    const cmd = instructionsOf(runtime, "CMD").at(-1) as JSONInstruction;
    expect(jsonWords(cmd)).toEqual(["--host", "0.0.0.0"]);

    const user = words(instructionsOf(runtime, "USER").at(-1)!)[0]!;
    const [uid, gid] = user.split(":");
    // Numeric, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid ?? uid)).toBeGreaterThan(0);
    // The user is set after the last COPY, so nothing the gateway runs from is writable by it.
    const last = (keyword: string) => runtime.instructions.findLastIndex((i) => i.getKeyword() === keyword);
    expect(last("USER")).toBeGreaterThan(last("COPY"));

    expect(workdirOf(runtime)).toBe("/app");
    expect(instructionsOf(runtime, "EXPOSE").flatMap(words)).toContain("8080");
    const env = instructionsOf(runtime, "ENV").map((i) => i.getArgumentsContent() ?? "");
    expect(env.join(" ")).toMatch(/\bTOLLGATE_CONFIG=\/etc\/tollgate\/tollgate\.jsonc\b/);
    expect(env.join(" ")).toMatch(/\bNODE_ENV=production\b/);
  });

  it("checks its health with Node itself (a slim image has no curl), on 8080 or TOLLGATE_HEALTHCHECK_PORT", async () => {
    const healthcheck = instructionsOf(runtime, "HEALTHCHECK").at(-1) as Healthcheck;
    expect(healthcheck.getSubcommand()?.getValue()).toBe("CMD");
    // Exec form: the JSON array after CMD, with no shell in between.
    const command = (healthcheck.getArgumentsContent() ?? "").replace(/^CMD\s+/, "");
    const script = nodeScriptOf(JSON.parse(command) as string[]);
    // Where it asks: the exposed port unless told another.
    expect((await runHealthcheck(script, {}, { recordUrl: true })).stdout).toBe(
      "http://127.0.0.1:8080/healthz",
    );
    expect(instructionsOf(runtime, "EXPOSE").flatMap(words)).toContain("8080");
    const moved = await runHealthcheck(script, { TOLLGATE_HEALTHCHECK_PORT: "9300" }, { recordUrl: true });
    expect(moved.stdout).toBe("http://127.0.0.1:9300/healthz");
    // What it answers: 0 while /healthz says ok, 1 otherwise, and 1 when nothing listens.
    let status = 200;
    const asked: string[] = [];
    const server = createServer((request, response) => {
      asked.push(request.url ?? "");
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = String((server.address() as AddressInfo).port);
    try {
      expect((await runHealthcheck(script, { TOLLGATE_HEALTHCHECK_PORT: port })).code).toBe(0);
      status = 503;
      expect((await runHealthcheck(script, { TOLLGATE_HEALTHCHECK_PORT: port })).code).toBe(1);
      expect(asked).toEqual(["/healthz", "/healthz"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect((await runHealthcheck(script, { TOLLGATE_HEALTHCHECK_PORT: port })).code).toBe(1);
  });

  it("copies only files that exist after npm run build, none of them kept out by .dockerignore", () => {
    const ignored = dockerIgnores(root);
    expect(ignored("node_modules"), ".dockerignore keeps node_modules out").toBe(true);
    expect(ignored(".git/config")).toBe(true);
    const checked: string[] = [];
    for (const stage of stages) {
      for (const copy of instructionsOf(stage, "COPY") as Copy[]) {
        const { from, sources } = copySources(copy);
        for (const source of sources) {
          // A Debian package's file: installed by that stage, not the repository's.
          if (from !== undefined && workdirOf(stageNamed(from)) === undefined) {
            expect(installsDebianPackage(stageNamed(from), basename(source)), source).toBe(true);
            continue;
          }
          // From the build context, or from a stage that mirrors the repository under its WORKDIR.
          const path = from === undefined ? source : repoPathOf(source, workdirOf(stageNamed(from))!);
          expect(path, `${source} from stage ${from} lies under that stage's WORKDIR`).toBeDefined();
          expect(existsSync(join(root, path!)), `${path} exists`).toBe(true);
          if (from === undefined) expect(ignored(path!), `${path} is not in .dockerignore`).toBe(false);
          checked.push(path!);
        }
      }
    }
    // What the runtime needs: the compiled server and console, the launcher, the config schema, package.json.
    for (const needed of ["dist/", "bin/", "schema/", "package.json", "node_modules/"])
      expect(checked).toContain(needed);
    expect(existsSync(join(root, "dist/cli/main.js"))).toBe(true);
    expect(existsSync(join(root, "dist/web/index.html"))).toBe(true);
  });
});
