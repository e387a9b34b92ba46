import { type FormEvent, useState } from "react";
import { KEYS, useChange } from "../api/queries.js";
import type { Provider } from "../api/types.js";
import { ErrorAlert } from "../components/error-alert.js";
import { TextField } from "../components/fields.js";

/** Sets a provider's central key: write-only, checked by the server, stored encrypted. */
export function ProviderKeyForm({ provider, onDone }: { provider: Provider; onDone: () => void }) {
  const [key, setKey] = useState("");
  const save = useChange(
    (api, value: string) =>
      api.send("PUT", `/admin/api/providers/${encodeURIComponent(provider.id)}/key`, { key: value }),
    [KEYS.providers, KEYS.models],
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(key.trim(), { onSuccess: onDone });
  };
  return (
    <form className="form" onSubmit={onSubmit}>
      <TextField
        label="Central key"
        type="password"
        required
        value={key}
        onValue={setKey}
        autoComplete="new-password"
        spellCheck={false}
        hint={
          provider.storedCentralKey
            ? "Replaces the stored key. Stored encrypted; never shown again."
            : "Stored encrypted; never shown again."
        }
      />
      <ErrorAlert error={save.error} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save key
        </button>
      </div>
    </form>
  );
}
