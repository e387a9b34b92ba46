import { type FormEvent, useId, useState } from "react";
import { KEYS, useChange, useMyKeys } from "../api/queries.js";
import type { MyKey } from "../api/types.js";
import { ErrorAlert } from "../components/error-alert.js";
import { SecretField } from "../components/fields.js";
import { ListStates } from "../components/list-states.js";
import { Page } from "../components/page.js";
import { Badge, EmptyState } from "../components/states.js";
import { useSession } from "../session/session.js";

const STATUS = {
  key_saved: { text: "Key saved", tone: "ok" },
  using_shared_key: { text: "Using shared key", tone: "info" },
  no_key: { text: "No key", tone: "warn" },
} as const;

/** One provider: whether the caller has a key there, and a write-only field to save or replace it. */
function KeyCard({ entry }: { entry: MyKey }) {
  const headingId = useId();
  const [key, setKey] = useState("");
  const path = `/v1/me/keys/${encodeURIComponent(entry.providerId)}`;
  const save = useChange(
    (api, value: string) => api.send("PUT", path, { key: value }),
    [KEYS.myKeys, KEYS.providers],
  );
  const remove = useChange((api, _: undefined) => api.send("DELETE", path), [KEYS.myKeys, KEYS.providers]);
  const status = STATUS[entry.status];

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    remove.reset();
    save.mutate(key.trim(), { onSuccess: () => setKey("") });
  };

  return (
    <section className="card key-card" aria-labelledby={headingId}>
      <div className="key-card-head">
        <h2 id={headingId}>{entry.displayName}</h2>
        <p>
          <Badge tone={status.tone}>{status.text}</Badge>
          {entry.status === "key_saved" && entry.last4 ? (
            <span className="muted"> ending in {entry.last4}</span>
          ) : null}
        </p>
        <p className="hint">
          {entry.status === "using_shared_key"
            ? "Your requests use the company's key until you save your own."
            : entry.status === "no_key"
              ? "Save your key to use this provider's models."
              : "Your requests to this provider use your key."}
        </p>
      </div>
      <form className="key-form" onSubmit={onSubmit}>
        <SecretField label={`Key for ${entry.displayName}`} required value={key} onValue={setKey} />
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save key
        </button>
        <button
          type="button"
          className="button danger"
          disabled={entry.status !== "key_saved" || remove.isPending}
          onClick={() => {
            save.reset();
            remove.mutate(undefined);
          }}
        >
          Remove key
        </button>
      </form>
      <div className="key-card-error">
        <ErrorAlert error={save.error ?? remove.error} />
      </div>
    </section>
  );
}

export function MyKeysPage() {
  const { me } = useSession();
  // Readonly tokens cannot call the model routes, so they keep no keys (the server says so too).
  const keepsKeys = me.role !== "readonly";
  const keys = useMyKeys(keepsKeys);
  return (
    <Page
      title="My keys"
      intro="Your own API keys for the providers that accept them. They are stored encrypted and never shown again; only the last four characters are."
    >
      {!keepsKeys ? (
        <EmptyState>Readonly tokens cannot send model requests, so they keep no personal keys.</EmptyState>
      ) : (
        <ListStates
          items={keys.data}
          pending={keys.isPending}
          error={keys.error}
          loading={{ rows: 2, label: "Loading your keys…" }}
          empty="No provider accepts personal keys."
        >
          {(list) => (
            <div className="key-list">
              {list.map((entry) => (
                <KeyCard key={entry.providerId} entry={entry} />
              ))}
            </div>
          )}
        </ListStates>
      )}
    </Page>
  );
}
