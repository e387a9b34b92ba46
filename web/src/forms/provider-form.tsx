import { useState } from "react";
import { KEYS } from "../api/queries.js";
import type { KeyPolicy, Provider } from "../api/types.js";
import { CheckboxField, Options, SecretField, SelectField, TextField } from "../components/fields.js";
import { FormFooter } from "../components/form-footer.js";
import { PROVIDER_TYPES, providerTypeInfo, serverSideConfig, settingsInput } from "./provider-types.js";
import { useFormSave } from "./use-form-save.js";

export interface ProviderFormProps {
  /** Absent: a new provider. */
  provider?: Provider;
  onDone: () => void;
}

const NEW_POLICY: KeyPolicy = { centralKey: true, allowUserKeys: false, centralKeyFallback: false };

/**
 * Adds a provider or changes one made through the API. The fields follow the type (Azure's API version,
 * Bedrock's region); the central key goes to the encrypted key store, never into the settings.
 */
export function ProviderForm({ provider, onDone }: ProviderFormProps) {
  const editing = provider !== undefined;
  const initial = settingsInput(provider?.type ?? "openai", provider?.settings);
  const [id, setId] = useState(provider?.id ?? "");
  const [displayName, setDisplayName] = useState(provider?.displayName ?? "");
  const [type, setType] = useState(initial.type);
  const [endpoint, setEndpoint] = useState(initial.endpoint);
  const [apiVersion, setApiVersion] = useState(initial.apiVersion);
  const [region, setRegion] = useState(initial.region || (provider?.region ?? ""));
  const [centralKey, setCentralKey] = useState("");
  const [policy, setPolicy] = useState<KeyPolicy>(provider?.keyPolicy ?? NEW_POLICY);
  const info = providerTypeInfo(type);

  const { onSubmit, error, saving } = useFormSave(
    async (api) => {
      const settings = serverSideConfig({ type, endpoint, apiVersion, region });
      const key = centralKey.trim();
      if (!editing) {
        return api.send("POST", "/admin/api/providers", {
          id: id.trim(),
          ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
          serverSideConfig: settings,
          keyPolicy: policy,
          ...(key && policy.centralKey ? { centralKey: key } : {}),
        });
      }
      const path = `/admin/api/providers/${encodeURIComponent(provider.id)}`;
      const changed = await api.send("PATCH", path, {
        displayName: displayName.trim() || null,
        serverSideConfig: settings,
        keyPolicy: policy,
      });
      if (key && policy.centralKey) return api.send("PUT", `${path}/key`, { key });
      return changed;
    },
    [KEYS.providers, KEYS.models, KEYS.myKeys],
    onDone,
  );

  const setFlag = (flag: keyof KeyPolicy, value: boolean) => {
    const next = { ...policy, [flag]: value };
    // Fallback means "the central key for users without their own": it needs both sources on.
    if (!(next.centralKey && next.allowUserKeys)) next.centralKeyFallback = false;
    setPolicy(next);
  };

  return (
    <form className="form" onSubmit={onSubmit}>
      <div className="form-row">
        <TextField
          label="ID"
          required
          disabled={editing}
          value={id}
          onValue={setId}
          pattern="[A-Za-z0-9._\-]+"
          hint={
            editing
              ? "The ID names the provider in model refs; it cannot change."
              : "Used in model refs (id::v1::model): letters, digits, . _ -"
          }
          verbatim
        />
        <TextField label="Display name" value={displayName} onValue={setDisplayName} autoComplete="off" />
      </div>
      <SelectField
        label="Type"
        value={type}
        disabled={editing}
        onValue={setType}
        hint={editing ? "A provider keeps its type; add a new one for another." : undefined}
      >
        <Options choices={PROVIDER_TYPES.map(({ type, label }) => ({ value: type, label }))} />
      </SelectField>
      <TextField
        label="Endpoint"
        type="url"
        required={info?.endpoint === "required"}
        value={endpoint}
        onValue={setEndpoint}
        hint={info?.endpointHint}
        placeholder={type === "openaicompatible" ? "http://localhost:8000/v1" : undefined}
        verbatim
      />
      {info?.apiVersion ? (
        <TextField
          label="API version"
          value={apiVersion}
          onValue={setApiVersion}
          placeholder="2024-10-21"
          hint="Azure's api-version; leave empty for the gateway's default."
          autoComplete="off"
        />
      ) : null}
      {info?.region ? (
        <TextField
          label="Region"
          value={region}
          onValue={setRegion}
          placeholder="us-east-1"
          autoComplete="off"
        />
      ) : null}
      <fieldset className="fieldset">
        <legend>Key policy</legend>
        <CheckboxField
          label="Use a central key"
          checked={policy.centralKey}
          onChecked={(checked) => setFlag("centralKey", checked)}
          hint="Everyone's requests use the key set here (or the ambient credentials)."
        />
        <CheckboxField
          label="Allow user keys"
          checked={policy.allowUserKeys}
          onChecked={(checked) => setFlag("allowUserKeys", checked)}
          hint="People may save their own key under My keys; theirs is used first."
        />
        <CheckboxField
          label="Central key as fallback"
          checked={policy.centralKeyFallback}
          disabled={!(policy.centralKey && policy.allowUserKeys)}
          onChecked={(checked) => setFlag("centralKeyFallback", checked)}
          hint="With both on: people without their own key use the central one."
        />
      </fieldset>
      <SecretField
        label="Central key"
        value={centralKey}
        disabled={!policy.centralKey}
        onValue={setCentralKey}
        hint={
          !policy.centralKey
            ? "Central keys are off in the key policy."
            : editing
              ? "Leave empty to keep the current key. Stored encrypted; never shown again."
              : "Stored encrypted; never shown again."
        }
      />
      {info?.ambient ? (
        <p className="note">
          Without a central key, Bedrock uses the ambient AWS credentials of the gateway's machine
          (environment variables, profile or instance role).
        </p>
      ) : null}
      <FormFooter submitLabel="Save provider" submitDisabled={saving} error={error} onCancel={onDone} />
    </form>
  );
}
