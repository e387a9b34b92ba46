import { type FormEvent, useEffect, useState } from "react";
import { SecretField } from "../components/fields.js";
import { signInFailure } from "../session/session.js";

export interface SignInProps {
  submit: (token: string) => Promise<void>;
  /** Why the last session ended, if it did. */
  notice: string | undefined;
}

export function SignInPage({ submit, notice }: SignInProps) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = "Sign in · Tollgate";
  }, []);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await submit(token.trim());
    } catch (failure) {
      setError(signInFailure(failure));
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={onSubmit}>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </div>
        <h1>Sign in to Tollgate</h1>
        <p className="muted">
          Paste an admin, readonly or user token. It is kept in this browser tab only and forgotten when the
          tab closes.
        </p>
        <SecretField label="Access token" autoComplete="off" required value={token} onValue={setToken} />
        <div className="alert-slot">
          {error ? (
            <div role="alert" className="alert alert-error">
              {error}
            </div>
          ) : null}
        </div>
        <button type="submit" className="button primary wide" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
