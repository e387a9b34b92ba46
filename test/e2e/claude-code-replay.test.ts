/**
 * Claude Code's own recorded requests (test/fixtures/clients/, recorded from claude-cli 2.1.332 against a
 * scripted upstream) replayed through the gateway, body and headers as the client sent them, to an Anthropic,
 * an OpenAI and an OpenAI-compatible upstream: each is accepted, and what reaches the provider is its dialect.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gatewayToken, type Harness, startHarness } from "./gateway-harness.js";

interface Recorded {
  client: string;
  version: string;
  request: { method: string; path: string; headers: Record<string, string>; body: Record<string, unknown> };
}

const dir = new URL("../fixtures/clients/", import.meta.url);
const recordings = readdirSync(dir)
  .filter((name) => name.startsWith("claude-code-") && name.endsWith(".json"))
  .map((name) => ({ name, recorded: JSON.parse(readFileSync(new URL(name, dir), "utf8")) as Recorded }))
  .filter(({ recorded }) => recorded.request.path.startsWith("/v1/messages"));

/** The client's headers as it sent them, with the gateway token in place of its API key. */
function clientHeaders(recorded: Recorded): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(recorded.request.headers)) {
    const lower = name.toLowerCase();
    if (
      ["host", "content-length", "connection", "accept-encoding", "x-api-key", "authorization"].includes(
        lower,
      )
    )
      continue;
    headers[lower] = value;
  }
  headers["x-api-key"] = gatewayToken;
  return headers;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.mock.reset());

describe("Claude Code's recorded requests through the gateway", () => {
  it("the recordings hold the shapes this suite is about", () => {
    const bodies = recordings.map(({ recorded }) => recorded.request.body);
    expect(
      bodies.some((body) => (body.messages as Array<{ role: string }>).some((m) => m.role === "system")),
    ).toBe(true);
    expect(bodies.some((body) => (body.thinking as { type?: string } | undefined)?.type === "adaptive")).toBe(
      true,
    );
    expect(bodies.some((body) => body.max_tokens === 32000)).toBe(true);
  });

  for (const { name, recorded } of recordings) {
    const countTokens = recorded.request.path.startsWith("/v1/messages/count_tokens");
    const targets = countTokens ? (["anthropic"] as const) : (["anthropic", "openai", "compat"] as const);
    for (const provider of targets) {
      it(`${name} → ${provider}`, async () => {
        const body = { ...recorded.request.body, model: `${provider}::v1::text` };
        const response = await fetch(`${h.url}${recorded.request.path}`, {
          method: "POST",
          headers: clientHeaders(recorded),
          body: JSON.stringify(body),
        });
        const text = await response.text();
        expect(response.status, text).toBe(200);
        const sent = h.mock.last(`/${provider}/`);
        if (provider === "anthropic") {
          // Passed through: the client's body with the routed fields rewritten, its betas and session header kept.
          expect(sent.body.messages).toEqual(recorded.request.body.messages);
          expect(sent.body.tools).toEqual(recorded.request.body.tools);
          expect(sent.headers["anthropic-beta"]).toBe(recorded.request.headers["anthropic-beta"]);
          // Anthropic refuses a thinking budget that is not below max_tokens (lowered to the model's maximum).
          const thinking = sent.body.thinking as { type: string; budget_tokens?: number } | undefined;
          if (thinking?.type === "enabled") expect(thinking.budget_tokens).toBeLessThan(sent.body.max_tokens);
          return;
        }
        // Translated: one system message, first; roles the OpenAI dialect knows; nothing Anthropic-only.
        const messages = sent.body.messages as Array<{ role: string }>;
        expect(messages[0]?.role).toBe("system");
        expect(messages.filter((message) => message.role === "system")).toHaveLength(1);
        for (const message of messages)
          expect(["system", "user", "assistant", "tool"]).toContain(message.role);
        for (const key of ["thinking", "context_management", "output_config", "metadata", "system"])
          expect(sent.body[key]).toBeUndefined();
        expect(JSON.stringify(sent.body.tools ?? [])).not.toContain("defer_loading");
        if (recorded.request.body.stream) expect(text).toContain("event: message_stop");
        else expect(JSON.parse(text)).toMatchObject({ type: "message", role: "assistant" });
        expect(decodeURIComponent(response.headers.get("x-tollgate-warnings") ?? "")).toContain(
          "context_management",
        );
      });
    }
  }
});
