import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
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
