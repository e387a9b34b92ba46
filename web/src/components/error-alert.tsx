import { useEffect, useRef } from "react";
import { messageOf } from "../api/api-error.js";

/**
 * An API refusal or failure in words: the server's own message, announced to screen readers and scrolled
 * into view (at the foot of a long form it would otherwise appear below the fold).
 */
export function ErrorAlert({ error }: { error: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  const message = error === null || error === undefined || error === false ? undefined : messageOf(error);
  useEffect(() => {
    if (message !== undefined) ref.current?.scrollIntoView?.({ block: "nearest" });
  }, [message]);
  if (message === undefined) return null;
  return (
    <div ref={ref} role="alert" className="alert alert-error">
      {message}
    </div>
  );
}
