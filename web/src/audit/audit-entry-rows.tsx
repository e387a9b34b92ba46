import { useId, useState } from "react";
import type { AuditEntry } from "../api/types.js";
import { formatDateTime } from "../format.js";

/** The entry's details as readable text: JSON indented by two, strings as they are. */
function detailsText(details: unknown): string {
  if (details === null || details === undefined) return "";
  return typeof details === "string" ? details : JSON.stringify(details, null, 2);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** For an update (details with `before` and `after`): the fields it changed, to read without opening it. */
export function changedFields(details: unknown): string[] {
  if (!isRecord(details) || !isRecord(details.before) || !isRecord(details.after)) return [];
  const { before, after } = details;
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
}

/**
 * One audit entry: its row, and under it, when "Details" is pressed, a row across the whole table with the
 * details as indented JSON that wraps (a long id or URL never pushes the table sideways or gets cut off).
 */
export function AuditEntryRows({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const text = detailsText(entry.details);
  const changed = changedFields(entry.details);
  return (
    <>
      <tr className={open ? "audit-open" : undefined}>
        <td className="nowrap">{formatDateTime(entry.at)}</td>
        <td>{entry.actorId ?? <span className="muted">system</span>}</td>
        <td className="mono">{entry.action}</td>
        <td className="cell-wrap">{entry.target ?? "—"}</td>
        <td>
          {text ? (
            <div className="audit-summary">
              <button
                type="button"
                className="button small disclosure"
                aria-expanded={open}
                aria-controls={detailsId}
                onClick={() => setOpen(!open)}
              >
                {/* Out of the name: the button is "Details", its state is aria-expanded. */}
                <span className="caret" aria-hidden="true">
                  ▸
                </span>
                Details
              </button>
              {changed.length > 0 ? <span className="cell-sub">changed {changed.join(", ")}</span> : null}
            </div>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
      </tr>
      {text ? (
        <tr id={detailsId} className="audit-details-row" hidden={!open}>
          <td colSpan={5}>
            <pre className="audit-details">{text}</pre>
          </td>
        </tr>
      ) : null}
    </>
  );
}
