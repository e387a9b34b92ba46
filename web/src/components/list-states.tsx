import type { ReactNode } from "react";
import { DataTable, type DataTableProps } from "./data-table.js";
import { ErrorAlert } from "./error-alert.js";
import { EmptyState, TableSkeleton } from "./states.js";

export interface ListStatesProps<Item> {
  /** Undefined until the list arrives (or when it could not be read). */
  items: readonly Item[] | undefined;
  pending: boolean;
  /** The refusal or failure to show first, if any. */
  error?: unknown;
  /** While pending: grey rows, and what a screen reader hears. */
  loading: { rows: number; label: string };
  /** What an empty list means, in words. */
  empty: ReactNode;
  /** The list as it is shown: a table, cards. */
  children: (items: readonly Item[]) => ReactNode;
}

/** Where a list goes on a page: its refusal, then grey rows while it loads, a sentence when empty, or the list. */
export function ListStates<Item>({ items, pending, error, loading, empty, children }: ListStatesProps<Item>) {
  return (
    <>
      <ErrorAlert error={error} />
      {pending ? (
        <TableSkeleton rows={loading.rows} label={loading.label} />
      ) : items?.length === 0 ? (
        <EmptyState>{empty}</EmptyState>
      ) : items ? (
        children(items)
      ) : null}
    </>
  );
}

export type ListTableProps<Item> = Omit<ListStatesProps<Item>, "children"> &
  Omit<DataTableProps, "children"> & {
    /** One item's row (or rows), keyed. */
    row: (item: Item) => ReactNode;
  };

/** A list shown as a table, with its loading, empty and error states. */
export function ListTable<Item>({
  items,
  pending,
  error,
  loading,
  empty,
  row,
  ...table
}: ListTableProps<Item>) {
  return (
    <ListStates items={items} pending={pending} error={error} loading={loading} empty={empty}>
      {(list) => <DataTable {...table}>{list.map(row)}</DataTable>}
    </ListStates>
  );
}
