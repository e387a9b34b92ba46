import { messageOf } from "../api/api-error.js";

/** An API refusal or failure in words: the server's own message, announced to screen readers. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (error === null || error === undefined || error === false) return null;
  return (
    <div role="alert" className="alert alert-error">
      {messageOf(error)}
    </div>
  );
}
