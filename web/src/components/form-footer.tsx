import type { ReactNode } from "react";
import { ErrorAlert } from "./error-alert.js";

export interface FormFooterProps {
  /** The submit button's text, saying what it does ("Save model"). */
  submitLabel: ReactNode;
  /** A save under way, or nothing to send yet. */
  submitDisabled: boolean;
  /** The server's refusal, shown above the buttons. */
  error?: unknown;
  /** Given, a Cancel button stands before the submit button. */
  onCancel?: () => void;
}

/** A form's foot: the refusal if there is one, then Cancel and the submit button. */
export function FormFooter({ submitLabel, submitDisabled, error, onCancel }: FormFooterProps) {
  return (
    <>
      <ErrorAlert error={error} />
      <div className="form-actions">
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="button primary" disabled={submitDisabled}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}
