/**
 * Recorded client requests to `POST /v1/responses` (test/fixtures/clients/: the Codex CLI 0.171.0 and the
 * OpenAI SDK) replayed with their own headers and bodies, the model replaced: to OpenAI the body passes
 * through; to Anthropic and an OpenAI-compatible server it is translated, the built-in tools left out with a
 * warning, and the answer is the Responses stream the Codex CLI reads.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./gateway-harness.js";
import {
  clientHeaders,
  clientRecordings,
  hasContent,
  inOrder,
  type Loose,
  postResponses,
  recordedAnswer,
  recordedCallId,
  sseEvents,
  targets,
  upstreamPath,
  warningsOf,
} from "./responses-calls.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.mock.reset());

describe("the stream the Codex CLI reads, when translated", () => {
  const [codex] = clientRecordings("codex-0.171.0-gpt-5-codex-1");
  it.each(["anthropic", "compat"] as const)(
    "→ %s: created … function_call … completed with an id",
    async (provider) => {
      const body = { ...codex!.request.body, model: `${provider}::v1::tools` };
      const response = await postResponses(h.url, body, clientHeaders(codex!));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = sseEvents(await response.text());
      for (const event of events) expect(event.event).toBe(event.data.type);
      const types = events.map((event) => event.data.type as string);
      const wanted = [
        "response.created",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
      ];
      expect(inOrder(types, wanted), types.join(" ")).toBe(true);
      expect(types.at(-1)).toBe("response.completed");
      const numbers = events.map((event) => event.data.sequence_number);
      expect(numbers).toEqual(numbers.map((_, index) => index));

      const callId = recordedCallId(provider, true);
      const expected = recordedAnswer(provider, "tools", true).toolCalls[0];
      const added = events.find(
        (event) =>
          event.data.type === "response.output_item.added" && event.data.item.type === "function_call",
      );
      expect(added?.data.item).toMatchObject({ call_id: callId, name: expected?.name });
      const deltas = events.filter((event) => event.data.type === "response.function_call_arguments.delta");
      expect(deltas.length).toBeGreaterThan(0);
      const done = events.find(
        (event) =>
          event.data.type === "response.output_item.done" && event.data.item.type === "function_call",
      );
      expect(deltas.map((event) => event.data.delta).join("")).toBe(done?.data.item.arguments);
      expect(JSON.parse(done?.data.item.arguments)).toEqual(expected?.arguments);
      // One item throughout: the deltas and the done item name the added item's id and output index.
      expect(added?.data.item.id).toMatch(/\S/);
      for (const delta of deltas)
        expect(delta.data).toMatchObject({
          item_id: added?.data.item.id,
          output_index: added?.data.output_index,
        });
      expect(done?.data).toMatchObject({
        output_index: added?.data.output_index,
        item: { id: added?.data.item.id, call_id: callId, status: "completed" },
      });

      const created = events[0]!.data.response;
      const completed = events.at(-1)!.data.response;
      // The Codex CLI fails on a response.completed without the response's id.
      expect(completed.id).toMatch(/\S/);
      expect(completed.id).toBe(created.id);
      expect(completed.status).toBe("completed");
      expect(completed.output).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: "function_call", call_id: callId })]),
      );
      // Usage as the upstream reported it (the OpenAI-compatible recording reports none).
      const usage = recordedAnswer(provider, "tools", true).usage;
      expect(completed.usage).toMatchObject({
        input_tokens: usage?.input ?? expect.any(Number),
        output_tokens: usage?.output ?? expect.any(Number),
      });
    },
  );
});

describe("recorded client requests replayed as sent", () => {
  const recordings = [...clientRecordings("codex-0.171.0-"), ...clientRecordings("openai-sdk-responses-")];
  const cases = recordings.flatMap((recorded) =>
    targets.map((provider) => ({ name: recorded.name, recorded, provider })),
  );

  it("the recordings hold the shapes this suite is about", () => {
    expect(recordings.length).toBe(12);
    const tools = recordings.flatMap((recorded) => (recorded.request.body.tools ?? []) as Loose[]);
    expect(tools.some((tool) => tool.type === "web_search")).toBe(true);
    expect(tools.some((tool) => tool.type === "custom")).toBe(true);
    expect(tools.some((tool) => tool.type === "namespace")).toBe(true);
    const items = recordings.flatMap((recorded) => (recorded.request.body.input ?? []) as Loose[]);
    expect(items.some((item) => item.type === "function_call_output")).toBe(true);
    expect(items.some((item) => item.type === "reasoning" && item.encrypted_content)).toBe(true);
  });

  it.each(cases)("$name → $provider", async ({ recorded, provider }) => {
    const clientBody = recorded.request.body;
    const response = await postResponses(
      h.url,
      { ...clientBody, model: `${provider}::v1::text` },
      clientHeaders(recorded),
    );
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const sent = h.mock.last(`/${provider}/`);
    expect(sent.path).toBe(upstreamPath[provider]);
    const warnings = warningsOf(response);
    if (provider === "openai") {
      expect(sent.body).toEqual({ ...clientBody, model: "text" });
      expect(warnings).toBe("");
      const session = recorded.request.headers["session-id"];
      if (session) expect(sent.headers["session-id"]).toBe(session);
    } else {
      const tools = (sent.body.tools ?? []) as Loose[];
      const names = tools.map((tool) => tool.name ?? tool.function?.name);
      expect(names).not.toContain("web_search");
      for (const tool of tools) {
        if (provider === "compat") expect(tool.type).toBe("function");
        else expect(tool.input_schema).toBeDefined();
      }
      if ((clientBody.tools ?? []).some((tool: Loose) => tool.type === "web_search"))
        expect(warnings).toContain("web_search");
      expect(sent.body.input).toBeUndefined();
      // Upstreams refuse empty turns: every message carries content or tool calls, whatever was left out.
      for (const [index, message] of (sent.body.messages as Loose[]).entries())
        expect(hasContent(message), `messages[${index}] ${JSON.stringify(message)}`).toBe(true);
    }
    if (clientBody.stream) {
      const events = sseEvents(text);
      const last = events.at(-1)?.data;
      expect(last?.type).toBe("response.completed");
      expect(last?.response.id).toMatch(/\S/);
    } else {
      expect(JSON.parse(text)).toMatchObject({ object: "response", status: "completed" });
    }
  });
});
