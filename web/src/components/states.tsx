import type { ReactNode } from "react";

/** What an empty list means, in words, where the table would be. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/**
 * Grey rows where a table's rows will be: the page keeps its height while loading, so nothing jumps when the
 * data arrives. Screen readers hear "Loading…" once.
 */
function placeholderKeys(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `placeholder-${index}`);
}

export function TableSkeleton({ rows = 4, label = "Loading…" }: { rows?: number; label?: string }) {
  return (
    <div className="skeleton-table" aria-busy="true">
      <span role="status" className="visually-hidden">
        {label}
      </span>
      {placeholderKeys(rows + 1).map((key, index) => (
        <div
          key={key}
          className={index === 0 ? "skeleton-row skeleton-head" : "skeleton-row"}
          aria-hidden="true"
        >
          <span className="skeleton-bar" />
        </div>
      ))}
    </div>
  );
}

export function Badge({
  tone = "neutral",
  children,
}: {
  tone?: "neutral" | "ok" | "warn" | "danger" | "info";
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
