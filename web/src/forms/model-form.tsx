import { useId, useState } from "react";
import { KEYS } from "../api/queries.js";
import { CAPABILITIES, type Capability, type Model, type Provider } from "../api/types.js";
import { CheckboxField, NumberField, Options, SelectField, TextField } from "../components/fields.js";
import { FormFooter } from "../components/form-footer.js";
import { useFormSave } from "./use-form-save.js";

export interface ModelFormProps {
  providers: Provider[];
  /** Absent: a new model. */
  model?: Model;
  onDone: () => void;
}

const STATUSES = ["stable", "beta", "experimental", "deprecated", "waitlist"] as const;
const OPENAI_EFFORTS = ["minimal", "low", "medium", "high", "xhigh"] as const;
/** Provider types whose models take OpenAI's `reasoningEffort`, and those that take a thinking budget. */
const OPENAI_FAMILY = new Set([
  "openai",
  "azureOpenAI",
  "openaicompatible",
  "openrouter",
  "vercel",
  "fireworks",
]);
const THINKING_BUDGET = new Set(["anthropic", "awsBedrock", "google"]);

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));

/**
 * Adds a model to a provider, or changes one made through the API: capabilities, context window, prices
 * (USD per million tokens) and the options that fit the provider's type.
 */
export function ModelForm({ providers, model, onDone }: ModelFormProps) {
  const editing = model !== undefined;
  const capabilitiesId = useId();
  const [providerId, setProviderId] = useState(model?.providerId ?? providers[0]?.id ?? "");
  const [modelId, setModelId] = useState(model?.id ?? "");
  const [apiVersion, setApiVersion] = useState(model?.apiVersion ?? "v1");
  const [displayName, setDisplayName] = useState(model?.displayName ?? "");
  const [modelName, setModelName] = useState(model && model.modelName !== model.id ? model.modelName : "");
  const [capabilities, setCapabilities] = useState<Capability[]>(model?.capabilities ?? ["chat"]);
  const [maxInput, setMaxInput] = useState(text(model?.contextWindow.maxInputTokens));
  const [maxOutput, setMaxOutput] = useState(text(model?.contextWindow.maxOutputTokens));
  const [inputPrice, setInputPrice] = useState(text(model?.pricing?.input));
  const [outputPrice, setOutputPrice] = useState(text(model?.pricing?.output));
  const [status, setStatus] = useState(model?.status ?? "stable");
  const [temperature, setTemperature] = useState(text(model?.options?.temperature));
  const [reasoningEffort, setReasoningEffort] = useState(text(model?.options?.reasoningEffort));
  const [thinkingBudget, setThinkingBudget] = useState(text(model?.options?.thinkingBudgetTokens));
  const providerType = providers.find((provider) => provider.id === providerId)?.type ?? "";

  const { onSubmit, error, saving } = useFormSave(
    async (api) => {
      const pricing = {
        ...(numberOrUndefined(inputPrice) !== undefined ? { input: numberOrUndefined(inputPrice) } : {}),
        ...(numberOrUndefined(outputPrice) !== undefined ? { output: numberOrUndefined(outputPrice) } : {}),
      };
      const options: Record<string, unknown> = { ...(model?.options ?? {}) };
      const setOption = (name: string, value: unknown) => {
        if (value === undefined || value === "") delete options[name];
        else options[name] = value;
      };
      setOption("temperature", numberOrUndefined(temperature));
      if (OPENAI_FAMILY.has(providerType)) setOption("reasoningEffort", reasoningEffort || undefined);
      if (THINKING_BUDGET.has(providerType))
        setOption("thinkingBudgetTokens", numberOrUndefined(thinkingBudget));
      const fields = {
        capabilities,
        status,
        contextWindow: { maxInputTokens: Number(maxInput), maxOutputTokens: Number(maxOutput) },
      };
      if (!editing) {
        return api.send("POST", "/admin/api/models", {
          modelRef: `${providerId}::${apiVersion.trim() || "v1"}::${modelId.trim()}`,
          ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
          ...(modelName.trim() ? { modelName: modelName.trim() } : {}),
          ...fields,
          ...(Object.keys(options).length ? { options } : {}),
          ...(Object.keys(pricing).length ? { pricing } : {}),
        });
      }
      return api.send("PATCH", `/admin/api/models/${encodeURIComponent(model.ref)}`, {
        displayName: displayName.trim() || null,
        modelName: modelName.trim() || null,
        ...fields,
        options: Object.keys(options).length ? options : null,
        pricing: Object.keys(pricing).length ? pricing : null,
      });
    },
    [KEYS.models, KEYS.defaults, KEYS.clientModels],
    onDone,
  );

  const toggle = (capability: Capability, on: boolean) =>
    setCapabilities((current) =>
      on
        ? CAPABILITIES.filter((entry) => entry === capability || current.includes(entry))
        : current.filter((entry) => entry !== capability),
    );

  return (
    <form className="form" onSubmit={onSubmit}>
      <div className="form-row three">
        <SelectField label="Provider" value={providerId} disabled={editing} required onValue={setProviderId}>
          <Options
            choices={providers.map((provider) => ({ value: provider.id, label: provider.displayName }))}
          />
        </SelectField>
        <TextField
          label="Model ID"
          required
          disabled={editing}
          value={modelId}
          onValue={setModelId}
          verbatim
        />
        <TextField
          label="API version"
          required
          disabled={editing}
          value={apiVersion}
          onValue={setApiVersion}
          verbatim
        />
      </div>
      <p className="hint">
        Model ref:{" "}
        <code>{`${providerId || "provider"}::${apiVersion || "v1"}::${modelId || "model-id"}`}</code>
      </p>
      <div className="form-row">
        <TextField label="Display name" value={displayName} onValue={setDisplayName} autoComplete="off" />
        <TextField
          label="Upstream model name"
          value={modelName}
          onValue={setModelName}
          hint="The name sent to the provider; the model ID when empty."
          verbatim
        />
      </div>
      <fieldset className="fieldset" aria-describedby={`${capabilitiesId}-hint`}>
        <legend>Capabilities</legend>
        <div className="checks-inline">
          {CAPABILITIES.map((capability) => (
            <CheckboxField
              key={capability}
              label={capability}
              checked={capabilities.includes(capability)}
              onChecked={(checked) => toggle(capability, checked)}
            />
          ))}
        </div>
        <p id={`${capabilitiesId}-hint`} className="hint">
          Chat features need <code>chat</code>; code completion needs <code>autocomplete</code>.
        </p>
      </fieldset>
      <div className="form-row">
        <NumberField label="Max input tokens" min={1} required value={maxInput} onValue={setMaxInput} />
        <NumberField label="Max output tokens" min={1} required value={maxOutput} onValue={setMaxOutput} />
      </div>
      <div className="form-row">
        <NumberField
          label="Input price (USD per 1M tokens)"
          min={0}
          step="any"
          value={inputPrice}
          onValue={setInputPrice}
        />
        <NumberField
          label="Output price (USD per 1M tokens)"
          min={0}
          step="any"
          value={outputPrice}
          onValue={setOutputPrice}
        />
      </div>
      <div className="form-row three">
        <SelectField label="Status" value={status} onValue={setStatus}>
          <Options choices={STATUSES} />
        </SelectField>
        <NumberField
          label="Temperature"
          min={0}
          max={2}
          step="any"
          value={temperature}
          onValue={setTemperature}
        />
        {OPENAI_FAMILY.has(providerType) ? (
          <SelectField label="Reasoning effort" value={reasoningEffort} onValue={setReasoningEffort}>
            <option value="">Provider default</option>
            <Options choices={OPENAI_EFFORTS} />
          </SelectField>
        ) : THINKING_BUDGET.has(providerType) ? (
          <NumberField
            label="Thinking budget tokens"
            min={0}
            value={thinkingBudget}
            onValue={setThinkingBudget}
          />
        ) : (
          <span />
        )}
      </div>
      <FormFooter submitLabel="Save model" submitDisabled={saving} error={error} onCancel={onDone} />
    </form>
  );
}
