import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CanonicalRequest } from "../../canonical/request.js";
import type { JsonObject } from "../../canonical/validate.js";
import { canonicalToAnthropicRequest } from "../anthropic/anthropic-request-build.js";
import { canonicalToOpenAIChatRequest } from "../openai/openai-chat-request-build.js";
import { responsesToCanonicalRequest } from "./responses-request-parse.js";
import { prepareResponsesTranslation } from "./responses-translation.js";

// Recorded client requests (test/fixtures/clients): Codex CLI and the OpenAI SDK against /v1/responses.
const clientsDir = resolve(fileURLToPath(new URL("../../../test/fixtures/clients", import.meta.url)));
const recorded = readdirSync(clientsDir).filter(
  (name) => name.startsWith("codex-") || name.startsWith("openai-sdk-responses-"),
);
// biome-ignore lint/suspicious/noExplicitAny: recorded JSON is read freely in assertions
type Json = Record<string, any>;
const recordedBody = (name: string): Json =>
  (JSON.parse(readFileSync(resolve(clientsDir, name), "utf8")) as Json).request.body;

function parsed(body: unknown): CanonicalRequest {
  const result = responsesToCanonicalRequest(body);
  if (!result.ok) throw new Error(result.error.message);
  return result.request;
}

function prepared(request: CanonicalRequest, opaqueTools: "refuse" | "drop" = "drop") {
  const result = prepareResponsesTranslation(request, { opaqueTools });
  if (!result.ok) throw new Error(result.error.message);
  return result;
}

describe("recorded Responses clients", () => {
  it("has Codex and OpenAI SDK requests to read", () => {
    expect(recorded.filter((name) => name.startsWith("codex-")).length).toBeGreaterThanOrEqual(2);
    expect(recorded.filter((name) => name.startsWith("openai-sdk-")).length).toBeGreaterThanOrEqual(2);
  });

  it.each(recorded)("%s parses without errors or warnings", (name) => {
    const result = responsesToCanonicalRequest(recordedBody(name));
    expect(result.ok && result.warnings).toEqual([]);
  });

  it("reads a Codex second turn: developer prompt, reasoning with encrypted content, call and output", () => {
    const body = recordedBody("codex-0.171.0-gpt-5-codex-2.json");
    const request = parsed(body);
    expect(request.model).toBe("gpt-5-codex");
    expect(request.stream).toBe(true);
    // Codex asks for summaries but names no effort for a model outside its catalogue.
    expect(request.reasoning).toBeUndefined();
    expect(request.extra["openai-responses"]?.reasoning).toEqual({ summary: "auto" });
    expect(request.system.every((part) => part.developer)).toBe(true);
    const developerParts = body.input
      .filter((item: Json) => item.role === "developer")
      .flatMap((item: Json) => item.content.map((part: Json) => part.text));
    expect(request.system.map((part) => part.text)).toEqual(developerParts);
    expect(request.messages.map((message) => message.role)).toEqual(["user", "user", "assistant", "tool"]);
    const [reasoningItem, callItem, outputItem] = body.input.slice(-3);
    expect(request.messages[2]?.content).toEqual([
      {
        type: "reasoning",
        text: "**Running the command**",
        id: reasoningItem.id,
        format: "openai-responses-v1",
      },
      {
        type: "redacted-reasoning",
        data: reasoningItem.encrypted_content,
        id: reasoningItem.id,
        format: "openai-responses-v1",
      },
      { type: "tool-call", id: callItem.call_id, name: "exec_command", arguments: callItem.arguments },
    ]);
    expect(request.messages[3]?.content).toEqual([
      { type: "tool-result", toolCallId: outputItem.call_id, content: outputItem.output },
    ]);
    expect(request.tools?.map((tool) => (tool.type === "function" ? tool.name : tool.value.type))).toContain(
      "multi_agent_v1__spawn_agent",
    );
    expect(request.extra["openai-responses"]).toMatchObject({
      store: false,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: body.prompt_cache_key,
    });
  });

  it("translates a Codex second turn for Anthropic and chat upstreams (web_search dropped, reported)", () => {
    const { request, warnings } = prepared(parsed(recordedBody("codex-0.171.0-qwen3-coder-2.json")));
    expect(warnings).toEqual([
      {
        field: "tools",
        message: "the web_search tool runs only at OpenAI or has no equivalent for this upstream; not sent",
      },
      { field: "prompt_cache_key", message: "an OpenAI Responses parameter; not sent to this upstream" },
      { field: "client_metadata", message: "an OpenAI Responses parameter; not sent to this upstream" },
    ]);
    expect(request.extra).toEqual({});
    expect(request.tools?.every((tool) => tool.type === "function")).toBe(true);

    const anthropic = canonicalToAnthropicRequest(request, {
      model: "claude-sonnet-4-5",
      defaultMaxTokens: 8192,
    });
    if (!anthropic.ok) throw new Error(anthropic.error.message);
    const body = anthropic.body as Json;
    expect(body.messages.map((message: Json) => message.role)).toEqual(["user", "user", "assistant", "user"]);
    const assistant = body.messages[2].content as Json[];
    // OpenAI's encrypted reasoning cannot go to Anthropic: dropped with a warning by the builder.
    expect(assistant.map((block) => block.type)).toEqual(["tool_use"]);
    expect(anthropic.warnings.map((warning) => warning.message).join(" ")).toMatch(/openai-responses-v1/);
    expect(body.tools.map((tool: Json) => tool.name)).toContain("multi_agent_v1__spawn_agent");

    const chat = canonicalToOpenAIChatRequest(request, { model: "qwen3-coder" });
    if (!chat.ok) throw new Error(chat.error.message);
    const roles = (chat.body.messages as Json[]).map((message) => message.role);
    // A self-hosted server gets Codex's developer instructions as the one system message its template accepts.
    expect(roles).toEqual(["system", "user", "user", "assistant", "tool"]);
  });
});

describe("prepareResponsesTranslation", () => {
  const refusals: Array<[string, JsonObject, string]> = [
    ["previous_response_id", { input: "x", previous_response_id: "resp_1" }, "previous_response_id"],
    ["conversation", { conversation: "conv_1" }, "conversation"],
    ["stored prompt", { prompt: { id: "pmpt_1" } }, "prompt"],
    ["background", { input: "x", background: true }, "background"],
    ["item_reference", { input: [{ type: "item_reference", id: "msg_1" }] }, "input"],
    ["hosted tool", { input: "x", tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }] }, "tools"],
  ];
  it.each(refusals)("refuses %s", (_name, body, field) => {
    const result = prepareResponsesTranslation(parsed(body));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.field).toBe(field);
  });

  it("names the tool type when it refuses a tool", () => {
    const result = prepareResponsesTranslation(parsed({ input: "x", tools: [{ type: "web_search" }] }));
    expect(result).toEqual({
      ok: false,
      error: {
        field: "tools",
        message: "the web_search tool runs only at OpenAI or has no equivalent for this upstream",
      },
    });
  });

  it("drops Responses-only items and tool settings with warnings, and forgets harmless defaults", () => {
    const result = prepared(
      parsed({
        input: [
          { role: "user", content: "hi" },
          { type: "web_search_call", id: "ws_1", status: "completed" },
          { role: "assistant", content: "found it" },
          { type: "local_shell_call_output", id: "o1", output: "x" },
        ],
        tools: [{ type: "function", name: "f", parameters: { type: "object" }, defer_loading: true }],
        tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "f" }] },
        store: false,
        background: false,
        include: ["reasoning.encrypted_content"],
        truncation: "disabled",
        service_tier: "auto",
        stream_options: { include_obfuscation: false },
        reasoning: { effort: "low", summary: "detailed", generate_summary: "auto" },
        text: { verbosity: "low" },
        top_logprobs: 2,
      }),
    );
    expect(result.request.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { role: "assistant", content: [{ type: "text", text: "found it" }] },
    ]);
    expect(result.request.tools).toEqual([{ type: "function", name: "f", inputSchema: { type: "object" } }]);
    expect(result.request.toolChoice).toEqual({ type: "auto" });
    expect(result.warnings).toEqual([
      { field: "input", message: "a web_search_call item has no equivalent for this upstream; left out" },
      {
        field: "input",
        message: "a local_shell_call_output item has no equivalent for this upstream; left out",
      },
      { field: "tools", message: "the defer_loading setting of function f is OpenAI's only; not sent" },
      { field: "tool_choice", message: "a allowed_tools tool choice has no equivalent here; not sent" },
      {
        field: "reasoning.generate_summary",
        message: "an OpenAI Responses setting; not sent to this upstream",
      },
      { field: "text.verbosity", message: "an OpenAI Responses setting; not sent to this upstream" },
      { field: "top_logprobs", message: "an OpenAI Responses parameter; not sent to this upstream" },
    ]);
  });

  it("warns that store: true is not honoured and removes tool choice with the last tool", () => {
    const result = prepared(
      parsed({ input: "x", store: true, tools: [{ type: "web_search" }], tool_choice: "required" }),
    );
    expect(result.request.tools).toBeUndefined();
    expect(result.request.toolChoice).toBeUndefined();
    expect(result.warnings.map((warning) => warning.field)).toEqual(["tools", "store"]);
  });
});
