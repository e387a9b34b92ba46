import type { ContentPart } from "../canonical/content.js";
import type { CanonicalRequest } from "../canonical/request.js";

/** Images count as a flat amount; providers bill them by size, which we do not decode. */
const imageTokens = 1000;

function partCharacters(part: ContentPart): number {
  switch (part.type) {
    case "text":
    case "reasoning":
    case "refusal":
      return part.text.length;
    case "tool-call":
      return part.name.length + part.arguments.length;
    case "tool-result":
      return typeof part.content === "string"
        ? part.content.length
        : part.content.reduce(
            (sum, inner) => sum + (inner.type === "text" ? inner.text.length : imageTokens * 4),
            0,
          );
    case "image":
      return imageTokens * 4;
    default:
      return 0;
  }
}

/**
 * A fast upper-leaning estimate of input tokens (about 4 characters a token), used to check
 * the context window and to reserve tokens before the provider reports the real count.
 */
export function estimateInputTokens(request: CanonicalRequest): number {
  let characters = 0;
  for (const part of request.system) characters += part.text.length;
  for (const message of request.messages) {
    for (const part of message.content) characters += partCharacters(part);
  }
  if (request.prompt) characters += request.prompt.text.length + (request.prompt.suffix?.length ?? 0);
  for (const tool of request.tools ?? []) {
    if (tool.type === "function")
      characters +=
        tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.inputSchema ?? {}).length;
  }
  return Math.ceil(characters / 4) + 4 * request.messages.length;
}
