/**
 * The nesting bound of our API input. JSON.parse copes with any depth, but what reads the parsed body
 * recursively (JSON.stringify of the upstream body, structuredClone, schema converters) overflows the stack
 * somewhere past a few thousand levels: a body nested deeper than any real request is refused up front.
 */

/** Levels of arrays and objects a request body may have (a tool schema sits 3 to 5 levels down). */
export const maxBodyDepth = 128;

/**
 * The path of the first array or object nested deeper than `limit` levels (the root is level 1), or undefined
 * when none is. One walk without recursion over the containers only: strings and numbers are never looked
 * into. The path is worked out only when the limit is passed.
 */
export function tooDeepAt(root: unknown, limit: number): string | undefined {
  if (typeof root !== "object" || root === null) return undefined;
  // Parallel stacks of containers and their depths: no per-entry allocation.
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return pathTo(root, value);
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === "object" && item !== null) {
          values.push(item);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (typeof item === "object" && item !== null) {
          values.push(item);
          depths.push(depth + 1);
        }
      }
    }
  }
  return undefined;
}

/** `tools[0].input_schema.properties.a…`: the way down to `target`, its first steps only. */
function pathTo(root: object, target: object): string {
  const steps: string[] = [];
  // Depth first along the first branch that leads to the target; the error path only, so a search is fine.
  const parents = new Map<object, [object, string]>();
  const pending: object[] = [root];
  while (pending.length > 0) {
    const value = pending.pop() as object;
    if (value === target) break;
    const entries = Array.isArray(value)
      ? value.map((item, index) => [`[${index}]`, item] as const)
      : Object.entries(value).map(([key, item]) => [`.${key}`, item] as const);
    for (const [step, item] of entries) {
      if (typeof item !== "object" || item === null || parents.has(item)) continue;
      parents.set(item, [value, step]);
      pending.push(item);
    }
  }
  for (let at: object = target; at !== root; ) {
    const parent = parents.get(at);
    if (!parent) break;
    steps.push(parent[1]);
    at = parent[0];
  }
  steps.reverse();
  const shown = steps.slice(0, 8).join("").replace(/^\./, "");
  return steps.length > 8 ? `${shown}…` : shown;
}
