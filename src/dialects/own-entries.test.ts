import { describe, expect, it } from "vitest";
import { anthropicErrorToCanonical } from "./anthropic/anthropic-errors.js";
import { anthropicStopToCanonical } from "./anthropic/anthropic-finish-reason.js";
import { geminiErrorToCanonical } from "./gemini/gemini-errors.js";
import { geminiFinishToCanonical } from "./gemini/gemini-finish-reason.js";
import { openaiFinishToCanonical } from "./openai/openai-finish-reason.js";

/**
 * Values from outside (an upstream's finish reason or error type) named like an object's own properties are
 * unknown values, not the lookup tables' prototype: fuzzing found a client's media type `__proto__` turning
 * into a TypeError, and the same kind of lookup sat in every dialect.
 */
const names = ["__proto__", "constructor", "toString", "hasOwnProperty"];

describe("lookups of outside values", () => {
  it.each(names)("finish reason %s is other", (raw) => {
    expect(anthropicStopToCanonical(raw).unified).toBe("other");
    expect(openaiFinishToCanonical(raw).unified).toBe("other");
    expect(geminiFinishToCanonical(raw, false).unified).toBe("other");
  });

  it.each(names)("an error of type %s with a 200 status is a 500", (type) => {
    expect(anthropicErrorToCanonical(200, { type: "error", error: { type, message: "m" } }).status).toBe(500);
    expect(geminiErrorToCanonical(200, { error: { code: 200, status: type, message: "m" } }).status).toBe(
      500,
    );
  });
});
