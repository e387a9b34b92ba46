/**
 * What the Responses API tests compare against: the recorded answer each provider's mock replays (text and
 * tool call, stream or not), the recorded client requests (test/fixtures/clients/), and a reader for the raw
 * SSE a fetch client gets.
 */
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { sleep } from "../mock-upstream/mock-upstream.js";
import {
  type Expected,
  expectedFromBody,
  expectedFromStream,
  finalResponse,
  recordingFor,
  responsesRecording,
} from "../mock-upstream/recordings.js";
import { gatewayToken } from "./gateway-harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire JSON of any shape; tests pick fields.
export type Loose = any;

/** The three upstream kinds under test: OpenAI (pass-through), Anthropic and OpenAI-compatible (translated). */
export const targets = ["openai", "anthropic", "compat"] as const;
export type Target = (typeof targets)[number];

/** Where each target's mock receives a Responses client's call: as it is, or translated. */
export const upstreamPath: Record<Target, string> = {
  openai: "/openai/v1/responses",
  anthropic: "/anthropic/v1/messages",
  compat: "/compat/v1/chat/completions",
};

/** `POST /v1/responses` with fetch, as a client that is not the SDK sends it. */
export function postResponses(
  gatewayUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${gatewayUrl}/v1/responses`, {
    method: "POST",
    headers: { authorization: `Bearer ${gatewayToken}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** The `x-tollgate-warnings` header, decoded. */
export function warningsOf(response: Response): string {
  return decodeURIComponent(response.headers.get("x-tollgate-warnings") ?? "");
}

/** A message an upstream accepts: non-empty content (string or blocks) or, in chat completions, tool calls. */
export function hasContent(message: Loose): boolean {
  const content = message.content;
  if (typeof content === "string" ? content !== "" : Array.isArray(content) && content.length > 0)
    return true;
  return Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
}

/** The OpenAI SDK's own function tool, as recorded in openai-sdk-responses-stream-1.json. */
export const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Get the weather for a city",
  strict: true,
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
};

/** What the mock's recording for `provider` says for the text or tools kind. */
export function recordedAnswer(provider: Target, kind: "text" | "tools", stream: boolean): Expected {
  const recording = provider === "openai" ? responsesRecording(kind) : recordingFor(provider, kind);
  return stream ? expectedFromStream(recording) : expectedFromBody(recording.dialect, recording.body);
}

/** The recorded tool call's id as the provider wrote it (Responses `call_id`, `tool_use.id`, `tool_calls[].id`). */
export function recordedCallId(provider: Target, stream: boolean): string {
  if (provider === "openai") {
    const recording = responsesRecording("tools");
    const response = stream ? finalResponse(recording) : recording.body;
    return (response.output as Loose[]).find((item) => item.type === "function_call").call_id;
  }
  const body = recordingFor(provider, "tools").body as Loose;
  if (provider === "anthropic") return body.content.find((block: Loose) => block.type === "tool_use").id;
  return body.choices[0].message.tool_calls[0].id;
}

export interface ClientRecording {
  name: string;
  client: string;
  request: { method: string; path: string; headers: Record<string, string>; body: Loose };
}

const clientsDir = new URL("../fixtures/clients/", import.meta.url);

/** The recorded client requests whose file name starts with `prefix`. */
export function clientRecordings(prefix: string): ClientRecording[] {
  return readdirSync(clientsDir)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".json"))
    .sort()
    .map((name) => ({ name, ...(JSON.parse(readFileSync(new URL(name, clientsDir), "utf8")) as Loose) }));
}

/** The client's headers as it sent them, with the gateway token in place of its (redacted) key. */
export function clientHeaders(recorded: ClientRecording): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(recorded.request.headers)) {
    const lower = name.toLowerCase();
    if (
      ["host", "content-length", "connection", "accept-encoding", "authorization", "api-key"].includes(lower)
    )
      continue;
    headers[lower] = value;
  }
  headers.authorization = `Bearer ${gatewayToken}`;
  return headers;
}

export interface SseEvent {
  event: string | undefined;
  data: Loose;
}

/** Raw SSE text → its events (`event:` name, parsed `data:`). */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      const joined = data.join("\n");
      let parsed: unknown = joined;
      try {
        parsed = JSON.parse(joined);
      } catch {
        // Not JSON ([DONE], a comment): kept as text.
      }
      return { event, data: parsed };
    });
}

/** Whether `wanted` occurs in `types` in this order (other types may come between). */
export function inOrder(types: readonly string[], wanted: readonly string[]): boolean {
  let at = 0;
  for (const type of types) if (type === wanted[at]) at++;
  return at === wanted.length;
}

export async function until<T>(read: () => T | undefined, timeoutMs = 2000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await sleep(2);
  }
}
