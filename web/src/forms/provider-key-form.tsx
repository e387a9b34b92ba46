import { useState } from "react";
import { KEYS } from "../api/queries.js";
import type { Provider } from "../api/types.js";
import { SecretField } from "../components/fields.js";
import { FormFooter } from "../components/form-footer.js";
import { useFormSave } from "./use-form-save.js";

/** Sets a provider's central key: write-only, checked by the server, stored encrypted. */
export function ProviderKeyForm({ provider, onDone }: { provider: Provider; onDone: () => void }) {
  const [key, setKey] = useState("");
  const { onSubmit, error, saving } = useFormSave(
    (api) =>
      api.send("PUT", `/admin/api/providers/${encodeURIComponent(provider.id)}/key`, { key: key.trim() }),
    [KEYS.providers, KEYS.models],
    onDone,
  );
  return (
    <form className="form" onSubmit={onSubmit}>
      <SecretField
        label="Central key"
        required
        value={key}
        onValue={setKey}
        hint={
          provider.storedCentralKey
            ? "Replaces the stored key. Stored encrypted; never shown again."
            : "Stored encrypted; never shown again."
        }
      />
      <FormFooter submitLabel="Save key" submitDisabled={saving} error={error} onCancel={onDone} />
    </form>
  );
}
