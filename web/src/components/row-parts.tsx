import type { ReactNode } from "react";

/** A row's heading cell: the entry's name, with its id (or another detail) in small mono type under it. */
export function NameCell({ name, detail }: { name: ReactNode; detail?: string | undefined }) {
  return (
    <th scope="row">
      {name}
      {detail ? <span className="cell-sub mono">{detail}</span> : null}
    </th>
  );
}

/** An entry's Edit and Delete buttons; `deleteBlockedBy` says why Delete is off, if it is. */
export function EditDeleteButtons({
  onEdit,
  onDelete,
  deleteBlockedBy,
}: {
  onEdit: () => void;
  onDelete: () => void;
  deleteBlockedBy?: string | undefined;
}) {
  return (
    <>
      <button type="button" className="button small" onClick={onEdit}>
        Edit
      </button>
      <button
        type="button"
        className="button small danger"
        disabled={deleteBlockedBy !== undefined}
        title={deleteBlockedBy}
        onClick={onDelete}
      >
        Delete
      </button>
    </>
  );
}
