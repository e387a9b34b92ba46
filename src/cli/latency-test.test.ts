import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type MockUpstream,
  sendJson,
  sleep,
  startMockUpstream,
} from "../../test/mock-upstream/mock-upstream.js";
import { startTestGateway } from "../../test/support/gateway.js";
import { hashToken } from "../auth/token.js";
import type { Gateway } from "../server/gateway.js";
import { main } from "./commands.js";
import type { CommandIO } from "./io.js";

/**
 * The latency test both ways, against a real gateway in front of a mock upstream whose `delayed` model waits
 * 60 ms before its first token: `tollgate latency-test` timing from the client, and an admin's chat debug
 * command timing the upstream from the gateway, answered in the client's dialect.
 */

const tokens = {
  admin: "tg_admin_latency_0123456789abcdef",
  user: "tg_user_latency_0123456789abcdef",
  limited: "tg_limited_latency_0123456789abcdef",
};
const firstTokenDelayMs = 60;

function config(mock: string, storage: string): string {
  const actor = (id: string, role: string, token: string, extra: Record<string, unknown> = {}) => ({
    id,
    name: id,
    role,
    tokens: [{ sha256: hashToken(token) }],
    ...extra,
  });
  const model = (ref: string) => ({
    modelRef: ref,
    modelName: ref.split("::")[2],
    capabilities: ["chat"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 100_000, maxOutputTokens: 1000 },
  });
  return JSON.stringify({
    storage: { url: `sqlite:${storage}` },
    actors: [
      actor("root", "admin", tokens.admin),
      actor("alice", "user", tokens.user),
      actor("limited", "admin", tokens.limited, { limits: { chat: { requests: 1, interval: "1h" } } }),
    ],
    modelConfiguration: {
      sourcegraph: null,
      providerOverrides: [
        {
          id: "openai",
          serverSideConfig: { type: "openai", endpoint: `${mock}/openai`, accessToken: "sk-t" },
        },
        {
          id: "claude",
          serverSideConfig: { type: "anthropic", endpoint: `${mock}/anthropic`, accessToken: "sk-ant-t" },
        },
      ],
      modelOverrides: [
        model("openai::v1::delayed"),
        model("openai::v1::broken"),
        model("openai::v1::text"),
        model("claude::2023-06-01::text"),
      ],
      defaultModels: { chat: "openai::v1::text", fastChat: "openai::v1::text", codeCompletion: "" },
    },
  });
}

/** An OpenAI stream whose role chunk comes at once and whose first token comes after the delay. */
async function delayedStream(
  body: { stream_options?: { include_usage?: boolean } },
  response: ServerResponse,
) {
  const chunk = (extra: object) =>
    `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "delayed", ...extra })}\n\n`;
  response.writeHead(200, { "content-type": "text/event-stream" });
  response.write(
    chunk({ choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] }),
  );
  await sleep(firstTokenDelayMs);
  response.write(chunk({ choices: [{ index: 0, delta: { content: "Hi!" }, finish_reason: null }] }));
  response.write(chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
  if (body.stream_options?.include_usage) {
    response.write(
      chunk({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } }),
    );
  }
  response.end("data: [DONE]\n\n");
}

let dir: string;
let mock: MockUpstream;
let gateway: Gateway;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tollgate-latency-"));
  mock = await startMockUpstream();
  const file = join(dir, "tollgate.jsonc");
  await writeFile(file, config(mock.url, join(dir, "tollgate.db")));
  gateway = await startTestGateway({ file, dir });
});

beforeEach(() => {
  mock.reset();
  mock.script("delayed", (request, response) => delayedStream(request.body, response));
  mock.script("broken", (_request, response) =>
    sendJson(response, 400, { error: { message: "model exploded" } }),
  );
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CommandIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { TOLLGATE_URL: gateway.url, TOLLGATE_TOKEN: tokens.admin },
    cwd: dir,
  };
  const code = await main(["latency-test", ...args], io);
  return { code, stdout, stderr };
}

describe("tollgate latency-test", () => {
  it("times each request to its first token, not the role chunk: p50 at least the upstream's delay", async () => {
    const run = await cli("--model", "openai::v1::delayed", "-n", "6", "--concurrency", "3", "--json");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ requests: 6, ok: 6, failed: 0, concurrency: 3 });
    expect(report.ttftMs.p50).toBeGreaterThanOrEqual(50);
    expect(report.ttftMs.p50).toBeLessThan(1500);
    expect(report.ttftMs.min).toBeGreaterThanOrEqual(50);
    expect(report.totalMs.max).toBeGreaterThanOrEqual(report.ttftMs.max);
    expect(report.samples).toHaveLength(6);
    expect(mock.received("/openai")).toHaveLength(6);
    expect(mock.last("/openai").body).toMatchObject({ stream: true, max_tokens: 16 });
  });

  it("prints the summary table for people", async () => {
    const run = await cli("--model", "openai::v1::delayed", "-n", "2", "--url", gateway.url);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("requests    2/2 ok");
    expect(run.stdout).toMatch(/avg\s+min\s+p50\s+p95\s+max/);
    expect(run.stdout).toMatch(/first token\s+\d/);
  });

  it("counts failures, shows the first one's status and message, and exits 1", async () => {
    const run = await cli("--model", "openai::v1::broken", "-n", "3");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("requests    0/3 ok");
    expect(run.stdout).toMatch(/failed {6}3, the first: 400 \S+: .*model exploded/);
  });

  it("an unknown model and a wrong token are failures with the gateway's answer", async () => {
    const unknown = await cli("--model", "openai::v1::nope", "-n", "1", "--json");
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).firstError).toMatch(/^404 /);
    const refused = await cli("--model", "openai::v1::delayed", "-n", "1", "--token", "tg_wrong");
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("the first: 401");
  });

  it("usage mistakes exit 2; --help exits 0", async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli("--model", "m", "-n", "0")).code).toBe(2);
    expect((await cli("--model", "m", "--concurrency", "x")).code).toBe(2);
    expect((await cli("--model", "m", "--url", "not a url")).code).toBe(2);
    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: tollgate latency-test");
  });
});

const debugMessage = (n: number) => `tollgate_debug:::{"latencytest": ${n}}`;
const openai = (token: string) => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: token, maxRetries: 0 });
const anthropic = (token: string) => new Anthropic({ baseURL: gateway.url, apiKey: token, maxRetries: 0 });

describe("the chat debug command", () => {
  it("an admin's command in OpenAI chat is answered with the gateway's test of the upstream", async () => {
    const answer = await openai(tokens.admin).chat.completions.create({
      model: "openai::v1::delayed",
      messages: [{ role: "user", content: `cody_debug:::{"latencytest": 3}` }],
    });
    const text = answer.choices[0]?.message.content ?? "";
    expect(text).toContain("requests    3/3 ok");
    expect(text).toMatch(/#3 {3}first token \d/);
    const received = mock.received("/openai");
    expect(received).toHaveLength(3);
    expect(received.every((request) => request.body.messages[0].content.startsWith("Hello"))).toBe(true);
    const p50 = Number(/first token\s+[\d.]+\s+[\d.]+\s+([\d.]+)/.exec(text)?.[1]);
    expect(p50).toBeGreaterThanOrEqual(50);
  });

  it("streamed in OpenAI chat: the report arrives as content deltas", async () => {
    const stream = await openai(tokens.admin).chat.completions.create({
      model: "openai::v1::delayed",
      stream: true,
      messages: [{ role: "user", content: debugMessage(2) }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toContain("requests    2/2 ok");
    expect(mock.received("/openai")).toHaveLength(2);
  });

  it("in Anthropic messages, streamed and not, to an Anthropic upstream", async () => {
    const client = anthropic(tokens.admin);
    const whole = await client.messages.create({
      model: "claude::2023-06-01::text",
      max_tokens: 100,
      messages: [{ role: "user", content: debugMessage(2) }],
    });
    const block = whole.content[0];
    expect(block?.type === "text" ? block.text : "").toContain("requests    2/2 ok");
    expect(mock.received("/anthropic")).toHaveLength(2);
    expect(mock.last("/anthropic").body).toMatchObject({ max_tokens: 16, stream: true });

    const stream = client.messages.stream({
      model: "claude::2023-06-01::text",
      max_tokens: 100,
      messages: [{ role: "user", content: debugMessage(3) }],
    });
    const final = await stream.finalMessage();
    const streamed = final.content[0];
    expect(streamed?.type === "text" ? streamed.text : "").toContain("requests    3/3 ok");
  });

  it("in the Responses API, streamed and not", async () => {
    const client = openai(tokens.admin);
    const whole = await client.responses.create({ model: "openai::v1::delayed", input: debugMessage(2) });
    expect(whole.output_text).toContain("requests    2/2 ok");
    const stream = await client.responses.create({
      model: "openai::v1::delayed",
      input: debugMessage(1),
      stream: true,
    });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    expect(text).toContain("requests    1/1 ok");
    expect(mock.received("/openai")).toHaveLength(3);
  });

  it("a failing model shows its failures in the reply", async () => {
    const answer = await openai(tokens.admin).chat.completions.create({
      model: "openai::v1::broken",
      messages: [{ role: "user", content: debugMessage(2) }],
    });
    const text = answer.choices[0]?.message.content ?? "";
    expect(text).toContain("requests    0/2 ok");
    expect(text).toContain("model exploded");
  });

  it("for a user who is not an admin it is an ordinary message, sent upstream unchanged", async () => {
    const answer = await openai(tokens.user).chat.completions.create({
      model: "openai::v1::text",
      messages: [{ role: "user", content: debugMessage(3) }],
    });
    expect(answer.choices[0]?.message.content ?? "").not.toContain("Latency test");
    const received = mock.received("/openai");
    expect(received).toHaveLength(1);
    expect(received[0]?.body.messages).toEqual([{ role: "user", content: debugMessage(3) }]);
  });

  it("is admitted like any request: an admin over their limit is refused", async () => {
    const client = openai(tokens.limited);
    const ask = () =>
      client.chat.completions.create({
        model: "openai::v1::delayed",
        messages: [{ role: "user", content: debugMessage(1) }],
      });
    await ask();
    await expect(ask()).rejects.toMatchObject({ status: 429 });
    expect(mock.received("/openai")).toHaveLength(1);
  });
});
