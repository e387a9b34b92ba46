import type { ReactNode } from "react";

export interface Column {
  label: string;
  /** Figures, right-aligned. */
  numeric?: boolean;
  /** Named for screen readers only: the column of a row's buttons. */
  hidden?: boolean;
  /** A fixed share of the table's width, for tables that line up with each other down a page. */
  width?: string;
}

/** A column: its heading alone, or with how it shows. */
export type ColumnSpec = string | Column;

const columnOf = (spec: ColumnSpec): Column => (typeof spec === "string" ? { label: spec } : spec);

/** The last column of a table whose rows have buttons. */
export const ACTIONS_COLUMN: Column = { label: "Actions", hidden: true };

export interface DataTableProps {
  /** The table's name: shown above it when `caption`, else read out only (aria-label). */
  label: string;
  caption?: boolean;
  columns: readonly ColumnSpec[];
  className?: string;
  /** The rows, under a header row of `columns`. */
  children: ReactNode;
}

/** A table in its framed box, which scrolls sideways only if the table cannot fit. */
export function DataTable({ label, caption = false, className, children, ...props }: DataTableProps) {
  const columns = props.columns.map(columnOf);
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : "table"} aria-label={caption ? undefined : label}>
        {caption ? <caption>{label}</caption> : null}
        {columns.some((column) => column.width) ? (
          <colgroup>
            {columns.map((column) => (
              <col key={column.label} style={column.width ? { width: column.width } : undefined} />
            ))}
          </colgroup>
        ) : null}
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.label} scope="col" className={column.numeric ? "number" : undefined}>
                {column.hidden ? <span className="visually-hidden">{column.label}</span> : column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
