import type { ReactNode } from "react";
import { Dialog } from "./dialog.js";
import { FormFooter } from "./form-footer.js";

export interface ConfirmDialogProps<Subject> {
  /** What confirming does: the dialog's title and its button ("Delete provider"). */
  action: string;
  /** What it is done to; the dialog is open while there is one. */
  subject: Subject | undefined;
  /** The change that does it, closing the dialog when done. */
  change: {
    isPending: boolean;
    error: unknown;
    mutate(subject: Subject, options: { onSuccess: () => void }): void;
  };
  onClose: () => void;
  /** The question, about the subject. */
  children: (subject: Subject) => ReactNode;
}

/** Asks before something that cannot be undone; the server's refusal shows inside. */
export function ConfirmDialog<Subject>({
  action,
  subject,
  change,
  onClose,
  children,
}: ConfirmDialogProps<Subject>) {
  return (
    <Dialog title={action} open={subject !== undefined} onClose={onClose}>
      {subject === undefined ? null : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            change.mutate(subject, { onSuccess: onClose });
          }}
        >
          <div>{children(subject)}</div>
          <FormFooter
            submitLabel={action}
            submitDisabled={change.isPending}
            error={change.error}
            onCancel={onClose}
          />
        </form>
      )}
    </Dialog>
  );
}
