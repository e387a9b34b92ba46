/**
 * Canonical events → Anthropic's legacy Text Completions stream as `anthropic-version: 2023-01-01` writes it,
 * which is what Cody Gateway asks Anthropic for and what a Sourcegraph instance's client reads: data-only SSE
 * records, each holding the WHOLE completion so far (not a delta), then `data: [DONE]`. The instance passes each
 * record's `completion` on as the answer so far, and Cody Gateway counts tokens from the last one
 * (reference/cody.md §4.2; Anthropic's version history: 2023-06-01 made completions incremental, named the
 * events and dropped `[DONE]`).
 *
 * A record goes out for every text delta; the stop reason comes in one last record at end(), because OpenAI
 * upstreams send usage after their finish chunk. A failure midway is Anthropic's `event: error` record, without
 * `[DONE]`, so the stream never looks complete.
 */
import type { CanonicalFinish } from "../../canonical/finish-reason.js";
import type { CanonicalStreamEvent, StreamEncoder } from "../../canonical/stream-events.js";
import { canonicalErrorToAnthropic } from "../../errors/index.js";
import { formatSse } from "../sse.js";
import { canonicalFinishToLegacy, legacyCompletionBody } from "./anthropic-legacy-response.js";

export interface LegacyStreamEncoderOptions {
  /** Used if the stream lacks a message-start. */
  model?: string;
}

export function createAnthropicLegacyStreamEncoder(options: LegacyStreamEncoderOptions = {}): StreamEncoder {
  let completion = "";
  let model = options.model ?? "";
  let id = "";
  let finish: CanonicalFinish | undefined;
  let failed = false;
  let ended = false;

  const record = (final: boolean): string =>
    formatSse(
      JSON.stringify(
        legacyCompletionBody(
          completion,
          final && finish ? canonicalFinishToLegacy(finish) : null,
          final ? finish : undefined,
          model,
          id,
        ),
      ),
    );

  return {
    encode(event: CanonicalStreamEvent): string {
      if (failed || ended) return "";
      switch (event.type) {
        case "message-start":
          id = event.id;
          if (event.model !== "") model = event.model;
          return "";
        case "text-delta":
          if (event.text === "") return "";
          completion += event.text;
          return record(false);
        case "finish":
          finish = event.finish;
          return "";
        case "error":
          failed = true;
          return formatSse(JSON.stringify(canonicalErrorToAnthropic(event.error)), "error");
        default:
          // Reasoning, tool calls and usage have no place in a legacy completion.
          return "";
      }
    },
    end(): string {
      if (failed || ended) return "";
      ended = true;
      return `${record(true)}${formatSse("[DONE]")}`;
    },
  };
}
