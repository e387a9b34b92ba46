/**
 * Compiles `allowedModels` globs over model refs (`provider::apiVersion::modelId`) into one matcher.
 * `*` matches any run of characters, `::` included, so `anthropic::*` covers every Anthropic model and
 * `*::gpt-4o*` every gpt-4o variant of any provider. Every other character is literal. Matching ignores
 * case: provider and model ids are case-insensitive in practice, and a miss would lock a caller out.
 */
export function compileModelGlobs(patterns: readonly string[]): (ref: string) => boolean {
  if (patterns.length === 0) return () => false;
  if (patterns.includes("*")) return () => true;
  const alternatives = patterns.map((pattern) =>
    pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&"))
      .join(".*"),
  );
  const expression = new RegExp(`^(?:${alternatives.join("|")})$`, "is");
  return (ref) => expression.test(ref);
}
