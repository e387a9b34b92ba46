/** Why generation stopped, in one vocabulary for every dialect, plus the provider's own word. */
export type UnifiedFinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "error" | "other";

export interface CanonicalFinish {
  unified: UnifiedFinishReason;
  /** The provider's value as received (`end_turn`, `stop`, `MAX_TOKENS`…); encoders reuse it when it is theirs. */
  raw: string | undefined;
  /** The stop sequence that matched, when the provider says (Anthropic `stop_sequence`). */
  stopSequence?: string;
}
