import type { CanonicalRequest } from "../../canonical/request.js";
import { type JsonObject, optNumber, optStringList } from "../../canonical/validate.js";

/** Sampling fields both OpenAI request kinds (chat, legacy completions) share, with their allowed ranges. */
const sampling = [
  ["temperature", "temperature", { min: 0, max: 2 }],
  ["top_p", "topP", { min: 0, max: 1 }],
  ["n", "choices", { min: 1, max: 128, integer: true }],
  ["presence_penalty", "presencePenalty", { min: -2, max: 2 }],
  ["frequency_penalty", "frequencyPenalty", { min: -2, max: 2 }],
  ["seed", "seed", { integer: true }],
] as const;

/** Reads the shared sampling fields and `stop` (at most 4, as OpenAI allows) into the request. */
export function readSampling(body: JsonObject, request: CanonicalRequest): void {
  for (const [key, name, range] of sampling) {
    const value = optNumber(body, key, "", range);
    if (value !== undefined) request[name] = value;
  }
  const stop = optStringList(body, "stop", "", 4);
  if (stop !== undefined) request.stopSequences = stop;
}
