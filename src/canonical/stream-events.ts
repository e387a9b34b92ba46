import type { CanonicalError } from "./errors.js";
import type { CanonicalFinish } from "./finish-reason.js";
import type { CanonicalUsage } from "./usage.js";

/**
 * Canonical stream events. `index` is the content block's position in the response (Anthropic's block
 * index); a block is opened by its first delta or tool-call-start and closed by content-block-stop.
 * Usage events are cumulative: the last one wins. `signature` on a text delta or a tool-call start is the
 * stream form of TextPart/ToolCallPart `signature` (Gemini `thoughtSignature`): opaque, echoed back unchanged,
 * the last one of a block wins; encoders with no place for it leave it out.
 */
export type CanonicalStreamEvent =
  | { type: "message-start"; id: string; model: string; created?: number; usage?: CanonicalUsage }
  | { type: "text-delta"; index: number; text: string; signature?: string }
  | { type: "refusal-delta"; index: number; text: string }
  | { type: "reasoning-delta"; index: number; kind: "text"; text: string }
  | { type: "reasoning-delta"; index: number; kind: "signature"; signature: string }
  | { type: "reasoning-delta"; index: number; kind: "redacted"; data: string }
  | { type: "tool-call-start"; index: number; id: string; name: string; signature?: string }
  | { type: "tool-call-delta"; index: number; arguments: string }
  | { type: "content-block-stop"; index: number }
  | { type: "usage"; usage: CanonicalUsage }
  | { type: "finish"; finish: CanonicalFinish }
  | { type: "error"; error: CanonicalError };

export type CanonicalStreamEventType = CanonicalStreamEvent["type"];

/** Turns one parsed upstream event (JSON) into canonical events. Never throws. */
export interface StreamDecoder {
  /** One parsed JSON payload. */
  push(event: unknown): CanonicalStreamEvent[];
  /** One SSE `data` field (JSON text, or OpenAI's `[DONE]`); bad JSON becomes an error event. */
  pushData(data: string): CanonicalStreamEvent[];
  /**
   * One event whose type travels beside its JSON payload text, for upstreams that name events outside the
   * payload (AWS event-stream frames: the `:event-type` header, or `:exception-type` on an exception frame).
   * Only decoders of such upstreams have it; bad JSON becomes an error event.
   */
  pushEvent?(type: string, data: string): CanonicalStreamEvent[];
  /** The upstream stream ended; an unfinished message yields an error event. */
  end(): CanonicalStreamEvent[];
}

/** Turns canonical events into a dialect's exact SSE text. */
export interface StreamEncoder {
  encode(event: CanonicalStreamEvent): string;
  /** The stream is over: flush held usage, terminators (`[DONE]`, `message_stop`). */
  end(): string;
}
