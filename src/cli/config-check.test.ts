import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "./commands.js";
import { runConfigCheck } from "./config-check.js";

const dir = mkdtempSync(join(tmpdir(), "tollgate-config-check-"));
const good = join(dir, "good.jsonc");
const bad = join(dir, "bad.jsonc");
writeFileSync(
  good,
  `{
  // a comment
  "modelConfiguration": {
    "sourcegraph": null,
    "providerOverrides": [{ "id": "acme", "serverSideConfig": { "type": "openai", "accessToken": "\${ACME_KEY}" } }],
    "modelOverrides": [{ "modelRef": "acme::v1::m", "capabilities": ["chat", "autocomplete"], "contextWindow": { "maxInputTokens": 1000, "maxOutputTokens": 100 } }],
    "defaultModels": { "chat": "acme::v1::m", "fastChat": "acme::v1::m", "codeCompletion": "acme::v1::m" },
  },
}`,
);
writeFileSync(
  bad,
  `{\n  "server": { "prot": 1 },\n  "modelConfiguration": { "sourcegraph": null, "defaultModels": { "chat": "x::y" } }\n}`,
);

function io(env: Record<string, string> = {}) {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env,
    },
  };
}

test("a valid file prints a summary and exits 0", async () => {
  const { out, io: streams } = io({ ACME_KEY: "secret-key" });
  expect(await runConfigCheck([good], streams)).toBe(0);
  expect(out.stdout).toContain("acme::v1::m");
  expect(out.stdout).toMatch(/acme\s+openai\s+config-key\s+yes/);
  expect(out.stdout).toContain("default codeCompletion: acme::v1::m");
  expect(out.stdout).not.toContain("secret-key");
});

test("an invalid file prints every error as path: message (line:col) and exits 1", async () => {
  const { out, io: streams } = io();
  expect(await runConfigCheck([bad], streams)).toBe(1);
  expect(out.stderr).toContain("server.prot: unknown key `prot` (did you mean `port`?) (2:15)");
  expect(out.stderr).toContain("modelConfiguration.defaultModels.chat: model ref `x::y` has 2 parts");
});

test("--json, TOLLGATE_CONFIG and usage errors", async () => {
  const json = io({ TOLLGATE_CONFIG: good, ACME_KEY: "k" });
  expect(await runConfigCheck(["--json"], json.io)).toBe(0);
  expect(JSON.parse(json.out.stdout)).toMatchObject({ ok: true, defaults: { chat: "acme::v1::m" } });
  const missing = io();
  expect(await runConfigCheck([join(dir, "nope.jsonc")], missing.io)).toBe(1);
  expect(missing.out.stderr).toContain("does not exist");
  expect(await runConfigCheck(["--bogus"], io().io)).toBe(2);
});

describe("secrets in a config with problems (through `tollgate config check`)", () => {
  const leaky = join(dir, "leaky.jsonc");
  writeFileSync(
    leaky,
    `{
  "modelConfiguration": {
    "sourcegraph": null,
    "providerOverrides": [
      { "id": "acme", "serverSideConfig": { "type": "openai", "endpoint": "https://user:hunter2@[bad-host/v1", "accessToken": 20242024 } },
    ],
  },
  "actors": { "sources": [{ "id": "dir", "url": "ldap://dir.test/?token=hunter2", "headers": "X-Api-Key: hunter2" }] },
}`,
  );
  const run = async (args: string[]) => {
    const out = { stdout: "", stderr: "" };
    const code = await main(["config", "check", ...args], {
      stdout: (text) => (out.stdout += text),
      stderr: (text) => (out.stderr += text),
      env: {},
      cwd: dir,
    });
    return { code, output: out.stdout + out.stderr };
  };

  test("the problems name each path and what is wrong, never the password, token or key", async () => {
    const { code, output } = await run([leaky]);
    expect(code).toBe(1);
    expect(output).toContain(
      "modelConfiguration.providerOverrides[0].serverSideConfig.endpoint: `https://user:<redacted>@[bad-host/v1` is not a URL",
    );
    expect(output).toContain("serverSideConfig.accessToken: expected string, got a number");
    expect(output).toContain("actors.sources[0].url: `ldap://dir.test/?token=<redacted>` must be an http://");
    expect(output).toContain("actors.sources[0].headers: expected record, got a string");
    expect(output).not.toMatch(/hunter2|20242024/);
  });

  test("--json carries the same redacted problems", async () => {
    const { code, output } = await run([leaky, "--json"]);
    expect(code).toBe(1);
    const report = JSON.parse(output) as { ok: boolean; problems: { path: string; message: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        path: "modelConfiguration.providerOverrides[0].serverSideConfig.endpoint",
        message: expect.stringContaining("https://user:<redacted>@[bad-host/v1"),
      }),
    );
    expect(output).not.toMatch(/hunter2|20242024/);
  });
});
