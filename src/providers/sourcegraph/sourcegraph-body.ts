/**
 * What Cody Gateway's request types take (reference/cody.md §4.2): it decodes each body into a Go struct and
 * re-marshals it, so a field of another shape fails the whole request and an unknown one is dropped.
 * Another Tollgate takes the Cody forms as well. Copies, never edits, what may be the client's own objects.
 */
import { isObject, type JsonObject } from "../../canonical/validate.js";

/** Anthropic's system field as one text: a string, or text blocks. */
function systemText(system: unknown): string | undefined {
  if (typeof system === "string") return system;
  if (!Array.isArray(system)) return undefined;
  const texts = system
    .filter(isObject)
    .flatMap((block) => (typeof block.text === "string" ? [block.text] : []));
  return texts.length > 0 ? texts.join("\n\n") : undefined;
}

/**
 * Anthropic Messages for `/v1/completions/anthropic-messages`: Cody Gateway drops a top-level `system` (it is
 * "server-controlled") and takes the instance's system prompt as a first message with role `system`; message
 * content must be blocks (`[{type, text}]`), not a string.
 */
export function codyAnthropicBody(body: JsonObject): void {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const system = systemText(body.system);
  delete body.system;
  const hasString = messages.some((message) => isObject(message) && typeof message.content === "string");
  if (system === undefined && !hasString) return;
  const out: unknown[] = [];
  if (system !== undefined) out.push({ role: "system", content: [{ type: "text", text: system }] });
  for (const message of messages) {
    out.push(
      isObject(message) && typeof message.content === "string"
        ? { ...message, content: [{ type: "text", text: message.content }] }
        : message,
    );
  }
  body.messages = out;
}

/** OpenAI chat for `/v1/completions/openai` and `/fireworks`: Cody Gateway's message content is a string. */
export function codyOpenAIBody(body: JsonObject): void {
  if (!Array.isArray(body.messages)) return;
  let changed: unknown[] | undefined;
  body.messages.forEach((message, index) => {
    if (!isObject(message) || !Array.isArray(message.content)) return;
    const parts = message.content;
    // Only text can be written as a string; anything else is left for the upstream to judge.
    if (!parts.every((part) => isObject(part) && part.type === "text" && typeof part.text === "string"))
      return;
    changed ??= [...(body.messages as unknown[])];
    changed[index] = { ...message, content: parts.map((part) => (part as JsonObject).text).join("") };
  });
  if (changed) body.messages = changed;
}

/**
 * Gemini for `/v1/completions/google`: the model and the stream flag ride in the body (the URL is fixed), and
 * `systemInstruction` is one string, as Cody Gateway's request type declares it (Gemini's `{parts: [{text}]}`
 * would fail its decoding, a 400 for every request with a system prompt).
 */
export function codyGeminiBody(body: JsonObject, model: string, stream: boolean): void {
  body.model = model;
  body.stream = stream;
  const instruction = body.systemInstruction;
  if (isObject(instruction) && Array.isArray(instruction.parts)) {
    body.systemInstruction = instruction.parts
      .map((part) => (isObject(part) && typeof part.text === "string" ? part.text : ""))
      .join("");
  }
}
