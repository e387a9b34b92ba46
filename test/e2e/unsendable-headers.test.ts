/**
 * Issue 15: a header the HTTP client refuses (a key read from the environment with its final newline) failed every
 * request with "the connection failed before it answered" and no log line. Config values are checked at load
 * now (src/config/schema/http-fields.test.ts); a key from the environment still reaches request time, where
 * the failure must be a 502 naming the provider and its configuration, and an error in the log.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Gateway } from "../../src/server/gateway.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { type MockUpstream, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { startTestGateway } from "../support/gateway.js";

const KEY = "sk-from-env-0123456789abcdef";
const TOKEN = "tg_unsendable_headers_0123456789abcdef";
const env = { OPENAI_API_KEY: `${KEY}\n`, TOLLGATE_ADMIN_TOKEN: TOKEN };

let mock: MockUpstream;
let gateway: Gateway;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-unsendable-"));
  mock = await startMockUpstream();
  const file = join(dir, "tollgate.jsonc");
  await writeFile(
    file,
    JSON.stringify({
      storage: { url: `sqlite:${join(dir, "tollgate.db")}` },
      modelConfiguration: {
        sourcegraph: null,
        // No accessToken: the key comes from OPENAI_API_KEY.
        providerOverrides: [
          { id: "openai", serverSideConfig: { type: "openai", endpoint: `${mock.url}/openai` } },
        ],
        modelOverrides: [
          {
            modelRef: "openai::v1::text",
            modelName: "text",
            capabilities: ["chat"],
            contextWindow: { maxInputTokens: 1000, maxOutputTokens: 100 },
          },
        ],
      },
    }),
  );
  const logger = createLogger({ level: "info", destination: { write: (line: string) => logs.push(line) } });
  gateway = await startTestGateway({ file, dir, configEnv: env, logger, env });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

test("a header the HTTP client refuses is a 502 naming the provider, and an error in the log", async () => {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "openai::v1::text", messages: [{ role: "user", content: "hi" }] }),
  });
  const text = await response.text();
  expect(response.status).toBe(502);
  const body = JSON.parse(text) as { error: { message: string; code: string } };
  expect(body.error.code).toBe("upstream_error");
  expect(body.error.message).toBe(
    "the gateway could not build a valid request to openai: a header or URL from its configuration is invalid (the gateway's log names it)",
  );
  expect(mock.requests).toHaveLength(0);

  const lines = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
  const logged = lines.find((line) => String(line.msg).startsWith("could not send the upstream request"));
  expect(logged).toMatchObject({
    level: "error",
    provider: "openai",
    reason: "invalid authorization header",
  });
  expect(logged?.requestId).toBe(response.headers.get("x-request-id"));
  // The key is neither in the answer nor in any log line.
  expect(text).not.toContain(KEY);
  expect(logs.join("\n")).not.toContain(KEY);
});
