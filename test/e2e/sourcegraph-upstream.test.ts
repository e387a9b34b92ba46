import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { envReference, type InProcessGateway, startInProcess } from "../faults/infra-harness.js";
import { type MockUpstream, sendJson, startMockUpstream } from "../mock-upstream/mock-upstream.js";
import { dropSchemas, postgresUrl, randomSchemaName, withSchema } from "../store/postgres.js";

/**
 * The sourcegraph provider type against a fake Cody Gateway (the mock at `/cody`): what Tollgate sends on each
 * route (reference/cody.md §1.3, §4.2, §7.1), and how Cody's own errors reach a client (§1.5): `{"error": …}`
 * bodies, plain-text 429s with an RFC 1123 `retry-after`, and the 503 Cody makes of an upstream 429.
 */

const aliceToken = `tg_cody_alice_${randomBytes(12).toString("hex")}`;
const licenseToken = `slk_${randomBytes(32).toString("hex")}`;

const model = (modelRef: string, modelName: string, capabilities = ["chat"]) => ({
  modelRef,
  modelName,
  capabilities,
  category: "balanced",
  status: "stable",
  contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
});

function config(storage: string, gateway: string): string {
  const provider = (id: string) => ({
    id,
    serverSideConfig: { type: "sourcegraph", endpoint: gateway, accessToken: envReference("LICENSE_TOKEN") },
  });
  return JSON.stringify({
    storage: { url: storage },
    upstream: { circuitBreaker: { enabled: false } },
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [provider("anthropic"), provider("fireworks")],
      modelOverrides: [
        model("anthropic::2023-06-01::claude-x", "claude-x"),
        model("fireworks::v1::starcoder", "starcoder", ["autocomplete"]),
      ],
      defaultModels: {
        chat: "anthropic::2023-06-01::claude-x",
        fastChat: "",
        codeCompletion: "fireworks::v1::starcoder",
      },
    },
    actors: [{ id: "alice", tokens: [envReference("ALICE_TOKEN")] }],
  });
}

const anthropicAnswer = {
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-x",
  content: [{ type: "text", text: "hello" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 3 },
};

function sendText(response: ServerResponse, status: number, headers: Record<string, string>, text: string) {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  response.end(`${text}\n`);
}

describe("sourcegraph provider against a fake Cody Gateway", () => {
  const schema = randomSchemaName();
  let dir: string;
  let mock: MockUpstream;
  let edge: InProcessGateway;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tollgate-cody-upstream-"));
    mock = await startMockUpstream();
    edge = await startInProcess(dir, config(withSchema(await postgresUrl(), schema), `${mock.url}/cody`), {
      ALICE_TOKEN: aliceToken,
      LICENSE_TOKEN: licenseToken,
    });
  }, 60_000);

  afterEach(() => mock.reset());

  afterAll(async () => {
    await edge?.close();
    await mock?.close();
    await dropSchemas([schema]);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  const post = (path: string, body: unknown) =>
    fetch(`${edge.gateway.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${aliceToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  const chat = () =>
    post("/v1/chat/completions", {
      model: "anthropic::2023-06-01::claude-x",
      messages: [{ role: "user", content: "hi" }],
    });

  it("Anthropic Messages to /v1/completions/anthropic-messages, as an instance sends them", async () => {
    mock.script("/cody/v1/completions/anthropic-messages", (_request, response) =>
      sendJson(response, 200, anthropicAnswer),
    );
    const client = new Anthropic({ baseURL: edge.gateway.url, apiKey: aliceToken, maxRetries: 0 });
    const { data, response } = await client.messages
      .create({
        model: "anthropic::2023-06-01::claude-x",
        max_tokens: 100,
        system: "Be brief.",
        messages: [{ role: "user", content: "hi" }],
      })
      .withResponse();
    expect(data.content).toEqual([{ type: "text", text: "hello" }]);

    const sent = mock.last("/cody");
    expect(sent.path).toBe("/cody/v1/completions/anthropic-messages");
    expect(sent.headers.authorization).toBe(`Bearer ${licenseToken}`);
    expect(sent.headers["x-sourcegraph-feature"]).toBe("chat_completions");
    expect(sent.headers["x-request-id"]).toBe(response.headers.get("x-request-id"));
    expect(sent.headers.traceparent).toContain(`-${response.headers.get("x-trace")}-`);
    // Cody Gateway drops a top-level system prompt and takes the first message's instead.
    expect(sent.body.system).toBeUndefined();
    expect(sent.body.messages).toEqual([
      { role: "system", content: [{ type: "text", text: "Be brief." }] },
      { role: "user", content: [{ type: "text", text: "hi" }] },
    ]);
    // The client's token never goes upstream.
    expect(sent.rawBody + JSON.stringify(sent.headers)).not.toContain(aliceToken);
  });

  it("a prompt for a Fireworks model goes to /v1/completions/fireworks as code_completions", async () => {
    mock.script("/cody/v1/completions/fireworks", (_request, response) =>
      sendJson(response, 200, {
        id: "cmpl-1",
        object: "text_completion",
        model: "starcoder",
        choices: [{ index: 0, text: "return 1;", finish_reason: "stop" }],
        usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 },
      }),
    );
    const response = await post("/v1/completions", {
      model: "fireworks::v1::starcoder",
      prompt: "function one() {",
      max_tokens: 20,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: { text: string }[] }).choices[0]?.text).toBe("return 1;");
    const sent = mock.last("/cody");
    expect(sent.path).toBe("/cody/v1/completions/fireworks");
    expect(sent.headers["x-sourcegraph-feature"]).toBe("code_completions");
    expect(sent.body).toMatchObject({ model: "starcoder", prompt: "function one() {", max_tokens: 20 });
  });

  it("Cody's 400 {error} keeps its status and message", async () => {
    mock.script("/cody", (_request, response) =>
      sendJson(response, 400, {
        error: 'model "anthropic/claude-x" is not allowed, allowed: [anthropic/claude-3-haiku-20240307]',
      }),
    );
    const response = await chat();
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toContain('model "anthropic/claude-x" is not allowed');
  });

  it("Cody's plain-text 429 with an RFC 1123 retry-after becomes a 429 with Retry-After in seconds", async () => {
    const reset = new Date(Date.now() + 120_000).toUTCString();
    mock.script("/cody", (_request, response) =>
      sendText(
        response,
        429,
        { "retry-after": reset, "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0" },
        `you have exceeded the rate limit of 10 requests. Retry after ${reset}`,
      ),
    );
    const response = await chat();
    expect(response.status).toBe(429);
    const seconds = Number(response.headers.get("retry-after"));
    // The date has whole seconds, and the request took some time: about two minutes, never the default 5.
    expect(seconds).toBeGreaterThanOrEqual(60);
    expect(seconds).toBeLessThanOrEqual(121);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("upstream_rate_limited");
  });

  it("the 503 Cody Gateway makes of an upstream 429 keeps its retry-after", async () => {
    mock.script("/cody", (_request, response) =>
      sendJson(
        response,
        503,
        { type: "error", error: { type: "rate_limit_error", message: "slow down" } },
        {
          "retry-after": "2",
        },
      ),
    );
    const response = await chat();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
  });

  it("Cody's 403 (no access to the feature) is the gateway's credentials failing, never the token", async () => {
    mock.script("/cody", (_request, response) =>
      sendJson(response, 403, { error: "no access to feature chat_completions" }),
    );
    const response = await chat();
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text).error.code).toBe("upstream_auth_failed");
    expect(text).not.toContain(licenseToken);
  });
});
