/**
 * Compiles `allowedModels` globs over model refs (`provider::apiVersion::modelId`) into one matcher.
 * `*` matches any run of characters, `::` included, so `anthropic::*` covers every Anthropic model and
 * `*::gpt-4o*` every gpt-4o variant of any provider. Every other character is literal. Matching ignores
 * case: provider and model ids are case-insensitive in practice, and a miss would lock a caller out.
 *
 * Matched by a scan, not a regular expression: globs come from the admin API and external actor sources, and
 * `**********X` as a backtracking regex blocked the event loop for about 28 s per request. The scan is
 * O(pattern × ref) at worst.
 */
export function compileModelGlobs(patterns: readonly string[]): (ref: string) => boolean {
  if (patterns.length === 0) return () => false;
  if (patterns.includes("*")) return () => true;
  // Consecutive stars mean one star; case is folded once here and once per ref.
  const globs = [...new Set(patterns.map((pattern) => pattern.replace(/\*+/g, "*").toLowerCase()))];
  return (ref) => {
    const text = ref.toLowerCase();
    return globs.some((glob) => globMatches(glob, text));
  };
}

/** Wildcard matching with one remembered star: on a mismatch, the last star takes one more character. */
function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const char = glob.charCodeAt(g);
    if (g < glob.length && char !== STAR && char === text.charCodeAt(t)) {
      g++;
      t++;
    } else if (g < glob.length && char === STAR) {
      star = g++;
      resume = t;
    } else if (star !== -1) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob.charCodeAt(g) === STAR) g++;
  return g === glob.length;
}

const STAR = 42;
