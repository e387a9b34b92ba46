/**
 * Cody's model filter rule (cody.md §6.3): `*` matches all, `x*` prefix, `*x` suffix, `*x*` contains, else exact.
 * Rules shorter than 3 characters, other than `*`, are ignored (they match nothing), as in Cody.
 */
export function matchesRule(rule: string, ref: string): boolean {
  if (rule === "*") return true;
  if (rule.length < 3) return false;
  const starts = rule.startsWith("*");
  const ends = rule.endsWith("*");
  if (starts && ends) return ref.includes(rule.slice(1, -1));
  if (starts) return ref.endsWith(rule.slice(1));
  if (ends) return ref.startsWith(rule.slice(0, -1));
  return ref === rule;
}

export interface ModelFilters {
  statusFilter?: readonly string[];
  allow?: readonly string[];
  deny?: readonly string[];
}

export function passesFilters(
  model: { ref: string; status: string },
  filters: ModelFilters | undefined,
): boolean {
  if (!filters) return true;
  if (filters.statusFilter && !filters.statusFilter.includes(model.status)) return false;
  if (
    filters.allow &&
    filters.allow.length > 0 &&
    !filters.allow.some((rule) => matchesRule(rule, model.ref))
  )
    return false;
  if (filters.deny?.some((rule) => matchesRule(rule, model.ref))) return false;
  return true;
}
