import type { ApiClient } from "../api/client.js";
import type { LatencyReport, Spread } from "../api/types.js";

/**
 * The latency test run from the browser, for tokens that may call the model routes but not the admin API
 * (user tokens): the same requests and numbers as `POST /admin/api/latency-test` and `tollgate latency-test`
 * (src/proxy/latency-test-request.ts), timed here from sending to the first content chunk and to the end.
 */

const PROMPT = "Hello, please respond with a short message.";
const MAX_TOKENS = 16;
const TIMEOUT_MS = 120_000;

type Sample = { ok: true; ttftMs: number; totalMs: number } | { ok: false; error: string };

function errorText(status: number, text: string): string {
  try {
    const error = (JSON.parse(text) as { error?: { message?: unknown; code?: unknown } }).error;
    if (typeof error?.message === "string") {
      return `${status}${typeof error.code === "string" ? ` ${error.code}` : ""}: ${error.message}`;
    }
  } catch {
    // Not JSON: the start of the text below.
  }
  return `${status}: ${text.trim().slice(0, 200) || "no message"}`;
}

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

/** Server-sent events: records end at a blank line; a record's `data:` lines join with newlines. */
function* records(buffer: { text: string }, final: boolean): Generator<string> {
  const normalized = buffer.text.replace(/\r\n?/g, "\n");
  const parts = normalized.split("\n\n");
  buffer.text = final ? "" : (parts.pop() ?? "");
  for (const part of parts) {
    const data = part
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""));
    if (data.length > 0) yield data.join("\n");
  }
}

async function timeOne(api: ApiClient, model: string): Promise<Sample> {
  const started = performance.now();
  let response: Response;
  try {
    response = await api.raw("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model,
        stream: true,
        max_tokens: MAX_TOKENS,
        messages: [{ role: "user", content: PROMPT }],
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, error: `cannot reach the gateway: ${(error as Error).message}` };
  }
  if (response.status !== 200 || !response.body) {
    return { ok: false, error: errorText(response.status, await response.text()) };
  }
  let ttftMs: number | undefined;
  let done = false;
  let failure: string | undefined;
  const buffer = { text: "" };
  const read = (data: string) => {
    if (data === "[DONE]") {
      done = true;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      failure ??= "the stream carried a record that is not JSON";
      return;
    }
    const error = (json as { error?: { message?: unknown } } | null)?.error;
    if (error) failure ??= `stream error: ${typeof error.message === "string" ? error.message : "unknown"}`;
    else if (ttftMs === undefined && hasContent(json)) ttftMs = performance.now() - started;
  };
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer.text += decoder.decode(value, { stream: true });
      for (const data of records(buffer, false)) read(data);
    }
    buffer.text += decoder.decode();
    for (const data of records(buffer, true)) read(data);
  } catch (error) {
    return { ok: false, error: `the stream broke: ${(error as Error).message}` };
  }
  const totalMs = performance.now() - started;
  if (failure) return { ok: false, error: failure };
  if (ttftMs === undefined) return { ok: false, error: "the stream carried no content" };
  if (!done) return { ok: false, error: "the stream ended without [DONE]" };
  return { ok: true, ttftMs, totalMs };
}

const round = (value: number) => Math.round(value * 10) / 10;

/** Nearest-rank percentiles, as the server computes them (src/proxy/debug-command-latency.ts). */
function spread(values: number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
  return {
    avg: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
    min: round(sorted[0]!),
    p50: round(rank(50)),
    p95: round(rank(95)),
    max: round(sorted[sorted.length - 1]!),
  };
}

export async function runLatencyTestInBrowser(
  api: ApiClient,
  model: string,
  requests: number,
  concurrency: number,
): Promise<LatencyReport> {
  const samples: Sample[] = new Array(requests);
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const index = next++;
      samples[index] = await timeOne(api, model);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const ok = samples.filter((sample): sample is Extract<Sample, { ok: true }> => sample.ok);
  const firstError = samples.find((sample): sample is Extract<Sample, { ok: false }> => !sample.ok)?.error;
  const ttftMs = spread(ok.map((sample) => sample.ttftMs));
  const totalMs = spread(ok.map((sample) => sample.totalMs));
  return {
    model,
    requests,
    ok: ok.length,
    failed: requests - ok.length,
    ...(firstError === undefined ? {} : { firstError }),
    ...(ttftMs ? { ttftMs } : {}),
    ...(totalMs ? { totalMs } : {}),
  };
}
