/**
 * An Anthropic Text Completions prompt (`"\n\nHuman: …\n\nAssistant:"`) → canonical system and messages. Text
 * before the first Human turn is the system prompt (Anthropic's legacy convention); text after the last
 * `\n\nAssistant:` is a prefill the model continues (Cody's autocomplete prompts end in one).
 */
import type { CanonicalMessage, SystemPart } from "../../canonical/content.js";
import { fail } from "../../canonical/validate.js";

const turnMarker = /\n\nHuman:|\n\nAssistant:/g;

export interface LegacyConversation {
  system: SystemPart[];
  messages: CanonicalMessage[];
}

/** A turn's text without the one space that follows the role label (`Human: hi`). */
function turnText(text: string): string {
  return text.startsWith(" ") ? text.slice(1) : text;
}

export function splitLegacyPrompt(prompt: string): LegacyConversation {
  const system: SystemPart[] = [];
  const messages: CanonicalMessage[] = [];
  const markers = [...prompt.matchAll(turnMarker)];
  const first = markers[0];
  if (first === undefined || first[0] !== "\n\nHuman:")
    fail("prompt", 'must hold a "\\n\\nHuman:" turn before any "\\n\\nAssistant:" turn');
  const before = prompt.slice(0, first.index);
  if (before.trim() !== "") system.push({ type: "text", text: before.trim() });
  markers.forEach((marker, index) => {
    const start = marker.index + marker[0].length;
    const end = markers[index + 1]?.index ?? prompt.length;
    const text = turnText(prompt.slice(start, end));
    const last = index === markers.length - 1;
    if (marker[0] === "\n\nHuman:") {
      if (text.trim() === "") fail("prompt", `Human turn ${index + 1} is empty`);
      messages.push({ role: "user", content: [{ type: "text", text }] });
      return;
    }
    // A prefill may not end in whitespace (the Messages API refuses it); an empty last turn asks for the answer.
    const assistantText = last ? text.trimEnd() : text;
    if (assistantText.trim() === "") {
      if (last) return;
      fail("prompt", `Assistant turn ${index + 1} is empty`);
    }
    messages.push({ role: "assistant", content: [{ type: "text", text: assistantText }] });
  });
  return { system, messages };
}
