import { useInfiniteQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { KEYS } from "../api/queries.js";
import type { AuditPage } from "../api/types.js";
import { AuditEntryRows } from "../audit/audit-entry-rows.js";
import { DataTable } from "../components/data-table.js";
import { TextField } from "../components/fields.js";
import { ListStates } from "../components/list-states.js";
import { Page } from "../components/page.js";
import { useSession } from "../session/session.js";

interface Filters {
  actor: string;
  action: string;
  target: string;
}

const NO_FILTERS: Filters = { actor: "", action: "", target: "" };
const PAGE_SIZE = 50;
const COLUMNS = ["Time", "Actor", "Action", "Target", "Details"];

/** Who changed what, newest first, in pages of 50 ("Older" fetches the next). */
export function AuditLogPage() {
  const { api } = useSession();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const log = useInfiniteQuery({
    queryKey: [...KEYS.audit, filters],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      api.get<AuditPage>("/admin/api/audit", {
        ...filters,
        limit: PAGE_SIZE,
        ...(pageParam === undefined ? {} : { before: pageParam }),
      }),
    getNextPageParam: (last) => last.next,
  });
  const entries = log.data?.pages.flatMap((page) => page.entries) ?? [];

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilters({ actor: draft.actor.trim(), action: draft.action.trim(), target: draft.target.trim() });
  };
  const field = (name: keyof Filters, label: string, placeholder: string) => (
    <TextField
      label={label}
      value={draft[name]}
      placeholder={placeholder}
      onValue={(value) => setDraft({ ...draft, [name]: value })}
      autoComplete="off"
      markOptional={false}
    />
  );

  return (
    <Page
      title="Audit log"
      intro="Every change made through the admin API and the CLI: who made it, when, and what changed."
    >
      <form className="filters" onSubmit={onSubmit} aria-label="Audit log filters">
        {field("actor", "Actor", "admin")}
        {field("action", "Action", "token-create")}
        {field("target", "Target", "an id")}
        <button type="submit" className="button">
          Filter
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setDraft(NO_FILTERS);
            setFilters(NO_FILTERS);
          }}
        >
          Clear
        </button>
      </form>
      <ListStates
        items={entries.length > 0 || !log.error ? entries : undefined}
        pending={log.isPending}
        error={log.error}
        loading={{ rows: 6, label: "Loading the audit log…" }}
        empty={
          filters.actor || filters.action || filters.target
            ? "No entries match these filters."
            : "No changes recorded yet."
        }
      >
        {(list) => (
          <>
            <DataTable label="Audit log entries" columns={COLUMNS}>
              {list.map((entry) => (
                <AuditEntryRows key={entry.id} entry={entry} />
              ))}
            </DataTable>
            <div className="pager">
              <span className="hint" role="status">
                {log.isFetchingNextPage
                  ? "Loading older entries…"
                  : log.hasNextPage
                    ? ""
                    : `All ${entries.length} ${entries.length === 1 ? "entry" : "entries"} shown.`}
              </span>
              <button
                type="button"
                className="button"
                disabled={!log.hasNextPage || log.isFetchingNextPage}
                onClick={() => log.fetchNextPage()}
              >
                Older
              </button>
            </div>
          </>
        )}
      </ListStates>
    </Page>
  );
}
