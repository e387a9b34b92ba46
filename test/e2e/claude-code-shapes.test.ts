/**
 * Claude Code's current request shape (issue 11): a system message in the middle of `messages`, adaptive
 * thinking with `output_config.effort`, `context_management`, tools with `defer_loading`, `max_tokens: 32000`
 * against models that allow less, and its headers. Through to Anthropic it passes as it came (only the routed
 * fields rewritten); to OpenAI-family upstreams it is translated, with a warning for each thing dropped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gatewayToken, type Harness, startHarness } from "./gateway-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.mock.reset());

const betas =
  "claude-code-20250219,mid-conversation-tool-changes-2026-07-01,effort-2025-11-24,context-management-2025-06-27";

/** The shape Claude Code sends for a model id it does not know (recorded field by field from its requests). */
function claudeCodeBody(model: string) {
  return {
    model,
    max_tokens: 32000,
    stream: false,
    system: [
      { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: "text", text: "Use the tools to help the user.", cache_control: { type: "ephemeral" } },
    ],
    messages: [
      { role: "user", content: [{ type: "text", text: "list the files" }] },
      { role: "system", content: [{ type: "text", text: "The available tools changed: Glob was added." }] },
      { role: "user", content: "and then stop" },
    ],
    thinking: { type: "adaptive", display: "omitted" },
    output_config: { effort: "high" },
    context_management: { edits: [{ type: "clear_tool_uses_20250919" }] },
    metadata: { user_id: "user_abc_account__session_123" },
    tools: [
      {
        name: "Bash",
        description: "Run a shell command",
        input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
      },
      {
        name: "Glob",
        description: "Find files",
        input_schema: { type: "object", properties: { pattern: { type: "string" } } },
        defer_loading: true,
      },
    ],
  };
}

async function send(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${h.url}/v1/messages`, {
    method: "POST",
    headers: {
      "x-api-key": gatewayToken,
      "anthropic-version": "2023-06-01",
      "anthropic-beta": betas,
      "content-type": "application/json",
      "user-agent": "claude-cli/2.1.33 (external, cli)",
      "x-session-id": "session-123",
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

function warnings(headers: Headers): string {
  return decodeURIComponent(headers.get("x-tollgate-warnings") ?? "");
}

describe("Claude Code's request shape", () => {
  it("to Anthropic: passed through as it came, max_tokens lowered to the model's maximum, its headers forwarded", async () => {
    const body = claudeCodeBody("anthropic::v1::text");
    const answer = await send(body);
    expect(answer.status).toBe(200);
    const received = h.mock.last("/anthropic/");
    // Only the routed fields change: the model's upstream name, and 32000 → the model's 8192.
    expect(received.body).toEqual({ ...body, model: "text", max_tokens: 8192 });
    expect(received.headers["anthropic-beta"]).toBe(betas);
    expect(received.headers["anthropic-version"]).toBe("2023-06-01");
    expect(received.headers["user-agent"]).toMatch(
      /^claude-cli\/2\.1\.33 \(external, cli\) tollgate\/\d+\.\d+\.\d+$/,
    );
    expect(received.headers["x-session-id"]).toBe("session-123");
    expect(received.headers["x-api-key"]).not.toBe(gatewayToken);
    expect(warnings(answer.headers)).toContain(
      "max_tokens: 32000 is above the 8192 output tokens model anthropic::v1::text allows; sent as 8192",
    );
  });

  it("to Anthropic: a thinking budget at or above the lowered max_tokens is lowered too (Anthropic requires it below)", async () => {
    const body = {
      ...claudeCodeBody("anthropic::v1::text"),
      thinking: { type: "enabled", budget_tokens: 31999 },
    };
    const answer = await send(body);
    expect(answer.status).toBe(200);
    const sent = h.mock.last("/anthropic/").body;
    expect(sent.max_tokens).toBe(8192);
    expect(sent.thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
    expect(warnings(answer.headers)).toContain("thinking.budget_tokens: 31999 lowered to 4096");
  });

  it("to Anthropic: a block type Tollgate does not know still passes through (only the envelope is read)", async () => {
    const body = claudeCodeBody("anthropic::v1::text");
    body.messages.push({ role: "user", content: [{ type: "tool_reference_2027", ref: "x" }] } as never);
    const answer = await send(body);
    expect(answer.status).toBe(200);
    expect(h.mock.last("/anthropic/").body.messages).toEqual(body.messages);
  });

  for (const provider of ["openai", "compat"] as const) {
    it(`to ${provider}: translated, system prompts joined into one first system message, effort mapped, drops reported`, async () => {
      const answer = await send(claudeCodeBody(`${provider}::v1::text`));
      expect(answer.status).toBe(200);
      expect(answer.body.type).toBe("message");
      const sent = h.mock.last(`/${provider}/`).body;
      expect(sent.messages[0]).toEqual({
        role: "system",
        content:
          "You are Claude Code, Anthropic's official CLI for Claude.\n\nUse the tools to help the user.\n\nThe available tools changed: Glob was added.",
      });
      expect(sent.messages.slice(1).map((message: { role: string }) => message.role)).toEqual([
        "user",
        "user",
      ]);
      expect(sent.messages.filter((message: { role: string }) => message.role === "system")).toHaveLength(1);
      expect(sent.reasoning_effort).toBe("high");
      expect(sent.max_tokens ?? sent.max_completion_tokens).toBe(8192);
      expect(sent.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual([
        "Bash",
        "Glob",
      ]);
      expect(JSON.stringify(sent)).not.toContain("defer_loading");
      expect(sent.context_management).toBeUndefined();
      const reported = warnings(answer.headers);
      expect(reported).toContain("tools[1].defer_loading");
      expect(reported).toContain("context_management");
      expect(reported).toContain("max_tokens");
      // Anthropic's own headers do not travel to an OpenAI-dialect provider; the user agent and session do.
      const headers = h.mock.last(`/${provider}/`).headers;
      expect(headers["anthropic-beta"]).toBeUndefined();
      expect(headers["x-session-id"]).toBe("session-123");
      expect(headers["user-agent"]).toContain("tollgate/");
    });
  }

  it("to an OpenAI-family upstream, a block type Tollgate cannot translate is a 400 naming the field", async () => {
    const body = claudeCodeBody("openai::v1::text");
    body.messages.push({ role: "user", content: [{ type: "tool_reference_2027", ref: "x" }] } as never);
    const answer = await send(body);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain("messages[3].content[0].type");
  });

  it("adaptive thinking without an effort is reported when the upstream has nothing to map it to", async () => {
    const { output_config: _, ...body } = claudeCodeBody("openai::v1::text");
    const answer = await send(body);
    expect(answer.status).toBe(200);
    expect(h.mock.last("/openai/").body.reasoning_effort).toBeUndefined();
    expect(warnings(answer.headers)).toContain("adaptive thinking has no OpenAI equivalent");
  });

  it("count_tokens takes the same shape, system messages included", async () => {
    const { max_tokens: _, stream: __, ...body } = claudeCodeBody("anthropic::v1::text");
    const response = await fetch(`${h.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: {
        "x-api-key": gatewayToken,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  });
});
