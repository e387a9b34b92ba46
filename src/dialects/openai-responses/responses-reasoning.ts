/**
 * Reasoning items of the Responses API ⇄ canonical reasoning parts.
 *
 * OpenAI's own reasoning (summaries, and `encrypted_content` when the client asked for it with
 * `include: ["reasoning.encrypted_content"]`, as stateless `store: false` clients such as Codex do) is kept
 * the way OpenRouter's `reasoning_details` keep it: a ReasoningPart per summary text and a
 * RedactedReasoningPart for the encrypted content, all with the item's id and the format
 * `openai-responses-v1`. An OpenRouter upstream gets them back as they were; other upstreams drop them with a
 * warning (they cannot read OpenAI's encryption).
 *
 * Reasoning from another provider (an Anthropic thinking signature, redacted thinking) has only one place in
 * a reasoning item that clients echo back unread: `encrypted_content`. It goes there in an envelope
 * (`tollgate.v1:` + base64url JSON) and is unwrapped on the next turn, so a tool loop through a Responses
 * client keeps Anthropic's signed thinking, which Anthropic requires back.
 */
import type { ReasoningPart, RedactedReasoningPart } from "../../canonical/content.js";
import {
  asArray,
  asObject,
  asString,
  fail,
  fieldPath,
  type JsonObject,
  oneOf,
  optString,
} from "../../canonical/validate.js";

export type ReasoningParts = Array<ReasoningPart | RedactedReasoningPart>;

/** OpenRouter's name for OpenAI Responses reasoning; the canonical form uses it the same way. */
export const openaiReasoningFormat = "openai-responses-v1";

const envelopePrefix = "tollgate.v1:";

/** What a reasoning item cannot say itself: everything but the text (which travels as the summary). */
interface Envelope {
  signature?: string;
  data?: string;
  id?: string;
  format?: string;
}

function sealEnvelope(envelope: Envelope): string {
  return envelopePrefix + Buffer.from(JSON.stringify(envelope), "utf8").toString("base64url");
}

function openEnvelope(sealed: string, field: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(sealed.slice(envelopePrefix.length), "base64url").toString("utf8"));
  } catch {
    fail(field, "is not an encrypted_content this gateway produced (damaged envelope)");
  }
  const object = asObject(value, field);
  const envelope: Envelope = {};
  for (const key of ["signature", "data", "id", "format"] as const) {
    const item = optString(object, key, field);
    if (item !== undefined) envelope[key] = item;
  }
  return envelope;
}

function textsOf(item: JsonObject, key: "summary" | "content", field: string): string[] {
  const value = item[key];
  if (value === undefined || value === null) return [];
  const listField = fieldPath(field, key);
  const types = key === "summary" ? (["summary_text"] as const) : (["reasoning_text", "text"] as const);
  return asArray(value, listField).map((entry, index) => {
    const entryField = fieldPath(listField, index);
    const part = asObject(entry, entryField);
    oneOf(part.type, types, fieldPath(entryField, "type"));
    return asString(part.text, fieldPath(entryField, "text"));
  });
}

/** The summary texts; raw reasoning (`content`, gpt-oss style) stands in when there is no summary. */
function summaryTexts(item: JsonObject, field: string): string[] {
  const summary = textsOf(item, "summary", field);
  const content = textsOf(item, "content", field);
  return summary.length > 0 ? summary : content;
}

/** A `reasoning` input item (our API input, read strictly) as canonical parts. */
export function parseReasoningItem(item: JsonObject, field: string): ReasoningParts {
  const id = optString(item, "id", field);
  const texts = summaryTexts(item, field);
  const encrypted = optString(item, "encrypted_content", field);
  if (encrypted?.startsWith(envelopePrefix)) {
    const envelope = openEnvelope(encrypted, fieldPath(field, "encrypted_content"));
    const part: ReasoningPart | RedactedReasoningPart =
      envelope.data !== undefined
        ? { type: "redacted-reasoning", data: envelope.data }
        : { type: "reasoning", text: texts.join("") };
    if (part.type === "reasoning" && envelope.signature !== undefined) part.signature = envelope.signature;
    if (envelope.id !== undefined) part.id = envelope.id;
    if (envelope.format !== undefined) part.format = envelope.format;
    return [part];
  }
  // Without encrypted content the item is only text: its id refers to reasoning stored at OpenAI.
  if (encrypted === undefined) return texts.map((text) => ({ type: "reasoning", text }));
  const bookkeeping = (part: ReasoningPart | RedactedReasoningPart) => {
    if (id !== undefined) part.id = id;
    part.format = openaiReasoningFormat;
    return part;
  };
  const parts: ReasoningParts = texts.map((text) => bookkeeping({ type: "reasoning", text }));
  parts.push(bookkeeping({ type: "redacted-reasoning", data: encrypted }));
  return parts;
}

const isOpenAI = (part: ReasoningPart | RedactedReasoningPart): boolean =>
  part.format === openaiReasoningFormat;

/**
 * Canonical reasoning parts as `reasoning` output items. Consecutive OpenAI parts with the same id are one
 * item again; any other part is an item of its own. `newId` names items that have no OpenAI id.
 */
export function reasoningItems(parts: ReasoningParts, newId: () => string): JsonObject[] {
  const items: JsonObject[] = [];
  let group: { id: string | undefined; item: JsonObject } | undefined;
  for (const part of parts) {
    if (isOpenAI(part)) {
      if (!group || group.id === undefined || group.id !== part.id) {
        group = { id: part.id, item: { id: part.id ?? newId(), type: "reasoning", summary: [] } };
        items.push(group.item);
      }
      if (part.type === "reasoning") {
        if (part.text !== "")
          (group.item.summary as JsonObject[]).push({ type: "summary_text", text: part.text });
      } else group.item.encrypted_content = part.data;
      continue;
    }
    group = undefined;
    items.push(reasoningItem(part, newId()));
  }
  // Key order as OpenAI writes it (id, type, encrypted_content, summary) helps anyone diffing the output.
  return items.map(({ id, type, encrypted_content, summary }) =>
    encrypted_content === undefined ? { id, type, summary } : { id, type, encrypted_content, summary },
  );
}

/** One reasoning part from another provider as an item; what the summary cannot carry goes in the envelope. */
export function reasoningItem(part: ReasoningPart | RedactedReasoningPart, id: string): JsonObject {
  const envelope: Envelope = {};
  if (part.type === "reasoning" && part.signature !== undefined) envelope.signature = part.signature;
  if (part.type === "redacted-reasoning") envelope.data = part.data;
  if (part.id !== undefined) envelope.id = part.id;
  if (part.format !== undefined) envelope.format = part.format;
  const summary =
    part.type === "reasoning" && part.text !== "" ? [{ type: "summary_text", text: part.text }] : [];
  return Object.keys(envelope).length === 0
    ? { id, type: "reasoning", summary }
    : { id, type: "reasoning", encrypted_content: sealEnvelope(envelope), summary };
}
