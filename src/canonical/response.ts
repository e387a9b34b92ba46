import type { ContentPart } from "./content.js";
import type { CanonicalError } from "./errors.js";
import type { CanonicalFinish } from "./finish-reason.js";
import type { CanonicalUsage } from "./usage.js";

/** A complete (non-streamed) model response. */
export interface CanonicalResponse {
  id: string;
  model: string;
  /** Unix seconds, when the provider gave one. */
  created?: number;
  content: ContentPart[];
  finish: CanonicalFinish;
  usage: CanonicalUsage;
}

/** An upstream body read as a response, or the error it carried. */
export type ResponseResult = { ok: true; response: CanonicalResponse } | { ok: false; error: CanonicalError };
