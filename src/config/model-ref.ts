/** Cody's character class for each part of a model ref: URI characters plus `%`, no colon. */
export const REF_PART = /^[a-zA-Z0-9\-._~/?#[\]@!$&'()*+,;=%]+$/;

export interface ModelRef {
  providerId: string;
  apiVersion: string;
  modelId: string;
}

export type ModelRefResult = { ok: true; ref: ModelRef } | { ok: false; message: string };

const PART_NAMES = ["provider ID", "API version", "model ID"] as const;

export function parseModelRef(text: string): ModelRefResult {
  if (text.trim() === "")
    return { ok: false, message: "model ref is blank; expected `provider::apiVersion::modelId`" };
  const parts = text.split("::");
  if (parts.length !== 3) {
    return {
      ok: false,
      message: `model ref \`${text}\` has ${parts.length} part${parts.length === 1 ? "" : "s"}; expected exactly 3 separated by \`::\` (\`provider::apiVersion::modelId\`, e.g. \`anthropic::2023-06-01::claude-sonnet-4-5\`)`,
    };
  }
  for (const [index, part] of parts.entries()) {
    const name = PART_NAMES[index]!;
    if (part === "") return { ok: false, message: `model ref \`${text}\` has an empty ${name}` };
    if (!REF_PART.test(part)) {
      const bad = [...part].find((character) => !REF_PART.test(character));
      return {
        ok: false,
        message: `model ref \`${text}\`: ${name} \`${part}\` contains \`${bad}\`; allowed are letters, digits and - . _ ~ / ? # [ ] @ ! $ & ' ( ) * + , ; = %`,
      };
    }
  }
  return { ok: true, ref: { providerId: parts[0]!, apiVersion: parts[1]!, modelId: parts[2]! } };
}

export function formatModelRef(ref: ModelRef): string {
  return `${ref.providerId}::${ref.apiVersion}::${ref.modelId}`;
}

export function isValidProviderId(id: string): boolean {
  return REF_PART.test(id) && !id.includes("::");
}
