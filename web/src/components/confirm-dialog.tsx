import type { ReactNode } from "react";
import { Dialog } from "./dialog.js";
import { FormFooter } from "./form-footer.js";

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
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          onConfirm();
        }}
      >
        <div>{children}</div>
        <FormFooter submitLabel={confirmLabel} submitDisabled={pending} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
