import { type FormEvent, useId, useState } from "react";
import { KEYS, useChange } from "../api/queries.js";
import { CAPABILITIES, type Capability, type Model, type Provider } from "../api/types.js";
import { ErrorAlert } from "../components/error-alert.js";
import { CheckboxField, SelectField, TextField } from "../components/fields.js";

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

  const save = useChange(
    async (api, _: undefined) => {
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
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(undefined, { onSuccess: onDone });
  };

  const toggle = (capability: Capability, on: boolean) =>
    setCapabilities((current) =>
      on
        ? CAPABILITIES.filter((entry) => entry === capability || current.includes(entry))
        : current.filter((entry) => entry !== capability),
    );

  return (
    <form className="form" onSubmit={onSubmit}>
      <div className="form-row three">
        <SelectField
          label="Provider"
          value={providerId}
          disabled={editing}
          required
          onChange={(event) => setProviderId(event.target.value)}
        >
          {providers.map((provider) => (
            <option key={provider.id} value={provider.id}>
              {provider.displayName}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Model ID"
          required
          disabled={editing}
          value={modelId}
          onChange={(event) => setModelId(event.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <TextField
          label="API version"
          required
          disabled={editing}
          value={apiVersion}
          onChange={(event) => setApiVersion(event.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <p className="hint">
        Model ref:{" "}
        <code>{`${providerId || "provider"}::${apiVersion || "v1"}::${modelId || "model-id"}`}</code>
      </p>
      <div className="form-row">
        <TextField
          label="Display name"
          value={displayName}
          onChange={(event) => setDisplayName(event.target.value)}
          autoComplete="off"
        />
        <TextField
          label="Upstream model name"
          value={modelName}
          onChange={(event) => setModelName(event.target.value)}
          hint="The name sent to the provider; the model ID when empty."
          autoComplete="off"
          spellCheck={false}
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
              onChange={(event) => toggle(capability, event.target.checked)}
            />
          ))}
        </div>
        <p id={`${capabilitiesId}-hint`} className="hint">
          Chat features need <code>chat</code>; code completion needs <code>autocomplete</code>.
        </p>
      </fieldset>
      <div className="form-row">
        <TextField
          label="Max input tokens"
          type="number"
          min={1}
          step={1}
          required
          value={maxInput}
          onChange={(event) => setMaxInput(event.target.value)}
        />
        <TextField
          label="Max output tokens"
          type="number"
          min={1}
          step={1}
          required
          value={maxOutput}
          onChange={(event) => setMaxOutput(event.target.value)}
        />
      </div>
      <div className="form-row">
        <TextField
          label="Input price (USD per 1M tokens)"
          type="number"
          min={0}
          step="any"
          value={inputPrice}
          onChange={(event) => setInputPrice(event.target.value)}
        />
        <TextField
          label="Output price (USD per 1M tokens)"
          type="number"
          min={0}
          step="any"
          value={outputPrice}
          onChange={(event) => setOutputPrice(event.target.value)}
        />
      </div>
      <div className="form-row three">
        <SelectField label="Status" value={status} onChange={(event) => setStatus(event.target.value)}>
          {STATUSES.map((entry) => (
            <option key={entry} value={entry}>
              {entry}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Temperature"
          type="number"
          min={0}
          max={2}
          step="any"
          value={temperature}
          onChange={(event) => setTemperature(event.target.value)}
        />
        {OPENAI_FAMILY.has(providerType) ? (
          <SelectField
            label="Reasoning effort"
            value={reasoningEffort}
            onChange={(event) => setReasoningEffort(event.target.value)}
          >
            <option value="">Provider default</option>
            {OPENAI_EFFORTS.map((entry) => (
              <option key={entry} value={entry}>
                {entry}
              </option>
            ))}
          </SelectField>
        ) : THINKING_BUDGET.has(providerType) ? (
          <TextField
            label="Thinking budget tokens"
            type="number"
            min={0}
            step={1}
            value={thinkingBudget}
            onChange={(event) => setThinkingBudget(event.target.value)}
          />
        ) : (
          <span />
        )}
      </div>
      <ErrorAlert error={save.error} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save model
        </button>
      </div>
    </form>
  );
}
