/**
 * The chaos run's clients: mixed traffic in both dialects, whole and streamed answers, some abandoned
 * half way. Every request carries its own `x-request-id`, so the run can find its usage event later.
 */

export interface ChaosActor {
  id: string;
  token: string;
  /** The only model this actor calls (the upstream counts what it holds per model name), per provider. */
  model: string;
}

export type Dialect = "openai" | "anthropic";

/** What became of one request, as its client saw it. */
export interface Result {
  requestId: string;
  actor: string;
  dialect: Dialect;
  stream: boolean;
  /** The gateway's status, when its headers arrived. */
  status?: number;
  /** "ok", an error class, or what went wrong on the client's side. */
  outcome: "ok" | "error-body" | "stream-error" | "aborted" | "network" | "hung" | "malformed";
  /** The error's code or type, for errors answered properly. */
  code?: string;
  ms: number;
}

const HUNG_MS = 30_000;

function requestBody(dialect: Dialect, model: string, stream: boolean): string {
  const messages = [{ role: "user", content: "chaos" }];
  return JSON.stringify(
    dialect === "openai"
      ? {
          model,
          messages,
          max_tokens: 16,
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
        }
      : { model, messages, max_tokens: 16, stream },
  );
}

/** The error's code from a body in either dialect, or undefined when the body is not a proper error. */
function errorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; type?: unknown; message?: unknown } };
    const error = body.error;
    if (!error || typeof error.message !== "string" || error.message === "") return undefined;
    return String(error.code ?? error.type ?? "error");
  } catch {
    return undefined;
  }
}

/** A stream that reports a failure inside it (OpenAI's `{"error":…}` record, Anthropic's `error` event). */
function streamError(text: string): string | undefined {
  const anthropic = /event: error\ndata: (.*)\n/.exec(text);
  if (anthropic) return errorCode(anthropic[1]!) ?? "error";
  for (const line of text.split("\n")) {
    if (line.startsWith('data: {"error"')) return errorCode(line.slice(6)) ?? "error";
  }
  return undefined;
}

/** Whether a finished stream ended as its dialect ends a complete answer. */
function streamComplete(dialect: Dialect, text: string): boolean {
  return dialect === "openai" ? text.includes("data: [DONE]") : text.includes("event: message_stop");
}

export async function send(
  base: string,
  actor: ChaosActor,
  dialect: Dialect,
  provider: string,
  stream: boolean,
  abandon: boolean,
  requestId: string,
): Promise<Result> {
  const started = performance.now();
  const controller = new AbortController();
  const hung = setTimeout(() => controller.abort(new Error("hung")), HUNG_MS);
  const result = (fields: Omit<Result, "requestId" | "actor" | "dialect" | "stream" | "ms">): Result => ({
    requestId,
    actor: actor.id,
    dialect,
    stream,
    ms: Math.round(performance.now() - started),
    ...fields,
  });
  let status: number | undefined;
  // A whole answer is abandoned before it arrives, a stream after its first bytes.
  const walkAway =
    abandon && !stream ? setTimeout(() => controller.abort(new Error("abandoned")), 3) : undefined;
  try {
    const response = await fetch(`${base}${dialect === "openai" ? "/v1/chat/completions" : "/v1/messages"}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-request-id": requestId,
        ...(dialect === "openai"
          ? { authorization: `Bearer ${actor.token}` }
          : { "x-api-key": actor.token, "anthropic-version": "2023-06-01" }),
      },
      body: requestBody(dialect, `${provider}::v1::${actor.model}`, stream),
      signal: controller.signal,
    });
    status = response.status;
    if (abandon) {
      // Read a little, then walk away as an impatient client does.
      const reader = response.body?.getReader();
      await reader?.read();
      controller.abort(new Error("abandoned"));
      return result({ status, outcome: "aborted" });
    }
    const text = await response.text();
    if (status >= 400) {
      const code = errorCode(text);
      return result({ status, outcome: code ? "error-body" : "malformed", ...(code ? { code } : {}) });
    }
    if (stream) {
      const code = streamError(text);
      if (code) return result({ status, outcome: "stream-error", code });
      if (!streamComplete(dialect, text)) return result({ status, outcome: "malformed", code: "incomplete" });
    }
    return result({ status, outcome: "ok" });
  } catch (error) {
    const reason = controller.signal.aborted ? (controller.signal.reason as Error).message : "";
    if (reason === "hung") return result({ ...(status ? { status } : {}), outcome: "hung" });
    if (reason === "abandoned") return result({ ...(status ? { status } : {}), outcome: "aborted" });
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return result({ ...(status ? { status } : {}), outcome: "network", code });
  } finally {
    clearTimeout(hung);
    clearTimeout(walkAway);
  }
}
