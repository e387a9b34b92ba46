/**
 * What the tests' small OpenAI-compatible upstreams send (a chat completion, its stream records) and the local
 * model entries of their configs: one shape, so the upstreams differ only in their behaviour (hold, slow, count).
 */
import type { IncomingMessage } from "node:http";

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Calls `handle` with the request's parsed JSON body once it has all arrived. */
export function onJsonBody<T = { model: string; stream?: boolean }>(
  request: IncomingMessage,
  handle: (body: T) => void,
): void {
  let raw = "";
  request.on("data", (chunk) => {
    raw += chunk;
  });
  request.on("end", () => handle(JSON.parse(raw) as T));
}

/** A whole chat completion answering "ok". */
export function chatCompletion(model: string, usage: ChatUsage, id = "chatcmpl-1"): string {
  return JSON.stringify({
    id,
    object: "chat.completion",
    created: 1,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    usage,
  });
}

/** One record of a streamed chat completion. */
export function chatChunk(model: string, delta: object, finish: string | null, id = "chatcmpl-1"): string {
  return `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/** A stream's last records: the usage record (`stream_options.include_usage`) and `[DONE]`. */
export function chatStreamEnd(usage: ChatUsage, id = "chatcmpl-1"): string {
  return `data: ${JSON.stringify({ id, choices: [], usage })}\n\ndata: [DONE]\n\n`;
}

/** A chat model of the `local` provider, named `id` upstream, in the config's `modelOverrides`. */
export function localModel(id: string) {
  return {
    modelRef: `local::v1::${id}`,
    modelName: id,
    capabilities: ["chat"],
    category: "balanced",
    status: "stable",
    contextWindow: { maxInputTokens: 10_000, maxOutputTokens: 100 },
  };
}
