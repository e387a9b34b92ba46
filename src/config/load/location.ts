import { findNodeAtLocation, type Node } from "jsonc-parser";
import type { PathSegment } from "../problems.js";

/** Maps offsets in the source text to 1-based line and column. */
export class LineIndex {
  readonly #starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.#starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.#starts[low]! + 1 };
  }
}

/**
 * The offset that best shows a path: the value when it exists, the property's key when `atKey`,
 * else the nearest ancestor that exists (a missing field is shown at the object that lacks it).
 */
export function offsetOfPath(root: Node | undefined, path: readonly PathSegment[], atKey = false): number {
  if (!root) return 0;
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    if (atKey && length === path.length && length > 0) {
      const parent = findNodeAtLocation(root, prefix.slice(0, -1) as (string | number)[]);
      const property = parent?.children?.find(
        (child) => child.type === "property" && child.children?.[0]?.value === prefix[prefix.length - 1],
      );
      if (property) return property.offset;
      continue;
    }
    const node = findNodeAtLocation(root, prefix as (string | number)[]);
    if (node) return node.offset;
  }
  return root.offset;
}
