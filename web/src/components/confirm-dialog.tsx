import type { ReactNode } from "react";
import { Dialog } from "./dialog.js";
import { ErrorAlert } from "./error-alert.js";

export interface ConfirmDialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  /** The button that does it, named for what it does ("Delete provider"). */
  confirmLabel: string;
  onConfirm: () => void;
  pending: boolean;
  error: unknown;
  children: ReactNode;
}

/** Asks before something that cannot be undone; the server's refusal shows inside. */
export function ConfirmDialog({
  title,
  open,
  onClose,
  confirmLabel,
  onConfirm,
  pending,
  error,
  children,
}: ConfirmDialogProps) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <div className="form">
        <div>{children}</div>
        <ErrorAlert error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button primary" disabled={pending} onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
