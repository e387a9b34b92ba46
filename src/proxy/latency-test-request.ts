import { createFrameReader } from "../upstream/framing/index.js";
import type { LatencySample } from "./debug-command-latency.js";

/** What each request of `tollgate latency-test` asks: short, so the timing is mostly the model's first token. */
export const latencyPrompt = "Hello, please respond with a short message.";
const maxTokens = 16;
/** A request that takes longer than this counts as failed instead of holding the test. */
const requestTimeoutMs = 120_000;

export interface LatencyTarget {
  url: URL;
  token: string | undefined;
  model: string;
}

/** The gateway's error message from an OpenAI-shaped error body, else the start of the text. */
function errorMessage(status: number, text: string): string {
  let message: string | undefined;
  let code: string | undefined;
  try {
    const error = (JSON.parse(text) as { error?: { message?: unknown; code?: unknown } }).error;
    if (typeof error?.message === "string") message = error.message;
    if (typeof error?.code === "string") code = error.code;
  } catch {}
  const detail = message ?? (text.trim().slice(0, 200) || "no message");
  return `${status}${code ? ` ${code}` : ""}: ${detail}`;
}

/** A chunk with content (text, reasoning or a tool call); the first chunk, which only names the role, has none. */
function hasContent(json: unknown): boolean {
  const choices = (json as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return false;
  return choices.some((choice) => {
    const delta = (choice as { delta?: Record<string, unknown> } | null)?.delta;
    if (!delta) return false;
    const text = delta.content ?? delta.reasoning_content ?? delta.reasoning;
    return (typeof text === "string" && text !== "") || Array.isArray(delta.tool_calls);
  });
}

/** One streaming chat request, timed from sending to its first content chunk and to the stream's end. */
export async function timeRequest(target: LatencyTarget): Promise<LatencySample> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      },
      body: JSON.stringify({
        model: target.model,
        stream: true,
        max_tokens: maxTokens,
        messages: [{ role: "user", content: latencyPrompt }],
      }),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return { ok: false, error: `cannot reach the gateway at ${target.url.origin}: ${cause}` };
  }
  if (response.status !== 200) {
    return { ok: false, error: errorMessage(response.status, await response.text()), totalMs: elapsed() };
  }
  let ttftMs: number | undefined;
  let failure: string | undefined;
  let done = false;
  const reader = createFrameReader("sse", (event) => {
    if (event.data === "[DONE]") {
      done = true;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      failure ??= "the stream carried a record that is not JSON";
      return;
    }
    const error = (json as { error?: unknown } | null)?.error;
    if (error !== undefined && error !== null) {
      failure ??= errorMessage(200, event.data).replace(/^200/, "stream error");
      return;
    }
    if (ttftMs === undefined && hasContent(json)) ttftMs = elapsed();
  });
  try {
    for await (const chunk of response.body ?? []) reader.feedBytes(Buffer.from(chunk));
    reader.end();
  } catch (error) {
    return { ok: false, error: `the stream broke: ${(error as Error).message}`, totalMs: elapsed() };
  }
  const totalMs = elapsed();
  if (failure) return { ok: false, error: failure, totalMs };
  if (ttftMs === undefined) return { ok: false, error: "the stream carried no content", totalMs };
  if (!done) return { ok: false, error: "the stream ended without [DONE]", totalMs };
  return { ok: true, ttftMs, totalMs };
}

/** Runs `total` timed requests, `concurrency` at a time; samples keep the order the requests were started in. */
export async function runAll(
  total: number,
  concurrency: number,
  run: () => Promise<LatencySample>,
  onDone: (done: number, failed: number) => void,
): Promise<LatencySample[]> {
  const samples: LatencySample[] = new Array(total);
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const sample = await run();
      samples[index] = sample;
      done++;
      if (!sample.ok) failed++;
      onDone(done, failed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return samples;
}
