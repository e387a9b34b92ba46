import { useState } from "react";
import { KEYS, useModels } from "../api/queries.js";
import {
  type Actor,
  type Budget,
  LIMIT_FEATURES,
  type Limit,
  type LimitFeature,
  type Limits,
} from "../api/types.js";
import { CheckboxField, NumberField, SelectField, TextField } from "../components/fields.js";
import { FormFooter } from "../components/form-footer.js";
import { useFormSave } from "./use-form-save.js";

export const LIMIT_FEATURE_NAMES: Record<LimitFeature, string> = {
  "*": "All features",
  chat: "Chat",
  fastChat: "Fast chat",
  codeCompletion: "Code completion",
  embeddings: "Embeddings",
};

type LimitRow = Record<keyof Limit, string>;
const EMPTY_ROW: LimitRow = { requests: "", tokens: "", interval: "", concurrent: "" };

function rowsOf(limits: Limits | null | undefined): Record<LimitFeature, LimitRow> {
  const rows = {} as Record<LimitFeature, LimitRow>;
  for (const feature of LIMIT_FEATURES) {
    const limit = limits?.[feature];
    rows[feature] = {
      requests: limit?.requests === undefined ? "" : String(limit.requests),
      tokens: limit?.tokens === undefined ? "" : String(limit.tokens),
      interval: limit?.interval ?? "",
      concurrent: limit?.concurrent === undefined ? "" : String(limit.concurrent),
    };
  }
  return rows;
}

/** Filled rows only; the server checks the rest (an interval for counts, positive numbers). */
function limitsOf(rows: Record<LimitFeature, LimitRow>): Limits | null {
  const limits: Limits = {};
  for (const feature of LIMIT_FEATURES) {
    const row = rows[feature];
    const limit: Limit = {};
    if (row.requests.trim()) limit.requests = Number(row.requests);
    if (row.tokens.trim()) limit.tokens = Number(row.tokens);
    if (row.interval.trim()) limit.interval = row.interval.trim();
    if (row.concurrent.trim()) limit.concurrent = Number(row.concurrent);
    if (Object.keys(limit).length > 0) limits[feature] = limit;
  }
  return Object.keys(limits).length > 0 ? limits : null;
}

export interface ActorFormProps {
  /** Absent: a new actor. */
  actor?: Actor;
  onDone: () => void;
}

/** An actor's role, status, limits per feature, budget and the models it may use. */
export function ActorForm({ actor, onDone }: ActorFormProps) {
  const editing = actor !== undefined;
  const models = useModels();
  const [id, setId] = useState("");
  const [name, setName] = useState(actor?.name ?? "");
  const [role, setRole] = useState(actor?.role ?? "user");
  const [status, setStatus] = useState(actor?.status ?? "active");
  const [rows, setRows] = useState(() => rowsOf(actor?.limits));
  const [budgetUsd, setBudgetUsd] = useState(actor?.budget ? String(actor.budget.usd) : "");
  const [budgetPeriod, setBudgetPeriod] = useState<Budget["period"]>(actor?.budget?.period ?? "month");
  const [allModels, setAllModels] = useState(actor?.allowedModels == null);
  const [allowed, setAllowed] = useState<string[]>(actor?.allowedModels ?? []);

  // Every model of the catalogue, plus names the actor allows that are not in it (patterns, removed models).
  const choices = [
    ...(models.data?.models.map((model) => ({
      value: model.ref,
      label: `${model.displayName} (${model.ref})`,
    })) ?? []),
  ];
  for (const entry of allowed) {
    if (!choices.some((choice) => choice.value === entry)) choices.push({ value: entry, label: entry });
  }

  const { onSubmit, error, saving } = useFormSave(
    async (api) => {
      const budget = budgetUsd.trim() ? { usd: Number(budgetUsd), period: budgetPeriod } : null;
      const fields = {
        name: name.trim(),
        role,
        status,
        limits: limitsOf(rows),
        budget,
        allowedModels: allModels ? null : allowed,
      };
      if (editing) return api.send("PATCH", `/admin/api/actors/${encodeURIComponent(actor.id)}`, fields);
      return api.send("POST", "/admin/api/actors", { ...(id.trim() ? { id: id.trim() } : {}), ...fields });
    },
    [KEYS.actors, KEYS.tokens],
    onDone,
  );

  const setCell = (feature: LimitFeature, field: keyof Limit, value: string) =>
    setRows((current) => ({ ...current, [feature]: { ...(current[feature] ?? EMPTY_ROW), [field]: value } }));

  return (
    <form className="form" onSubmit={onSubmit}>
      <div className="form-row">
        {editing ? null : (
          <TextField
            label="Actor ID"
            value={id}
            onValue={setId}
            hint="Made from the name when empty."
            verbatim
          />
        )}
        <TextField label="Name" required value={name} onValue={setName} />
      </div>
      <div className="form-row">
        <SelectField label="Role" value={role} onValue={(value) => setRole(value as Actor["role"])}>
          <option value="user">user: calls models, keeps personal keys</option>
          <option value="readonly">readonly: reads the admin API</option>
          <option value="admin">admin: reads and changes everything</option>
        </SelectField>
        <SelectField
          label="Status"
          value={status}
          onValue={(value) => setStatus(value as Actor["status"])}
          hint="A disabled actor's tokens stop working at once."
        >
          <option value="active">active</option>
          <option value="disabled">disabled</option>
        </SelectField>
      </div>
      <fieldset className="fieldset">
        <legend>Limits</legend>
        <p className="hint">
          Requests and tokens per interval (such as <code>1m</code>, <code>1h</code>, <code>1d</code>), and
          requests at once. Empty fields set no limit; the gateway's defaults apply.
        </p>
        <table className="table limits-table">
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Requests</th>
              <th scope="col">Tokens</th>
              <th scope="col">Interval</th>
              <th scope="col">Concurrent</th>
            </tr>
          </thead>
          <tbody>
            {LIMIT_FEATURES.map((feature) => (
              <tr key={feature}>
                <th scope="row">{LIMIT_FEATURE_NAMES[feature]}</th>
                {(["requests", "tokens", "interval", "concurrent"] as const).map((field) => (
                  <td key={field}>
                    <input
                      className="cell-input"
                      aria-label={`${LIMIT_FEATURE_NAMES[feature]}: ${field}`}
                      type={field === "interval" ? "text" : "number"}
                      min={field === "interval" ? undefined : 1}
                      step={field === "interval" ? undefined : 1}
                      placeholder={field === "interval" ? "1m" : ""}
                      value={rows[feature][field]}
                      onChange={(event) => setCell(feature, field, event.target.value)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      <div className="form-row">
        <NumberField
          label="Budget (USD)"
          min={0}
          step="any"
          value={budgetUsd}
          onValue={setBudgetUsd}
          hint="Spend allowed per period; empty for none."
        />
        <SelectField
          label="Budget period"
          value={budgetPeriod}
          onValue={(value) => setBudgetPeriod(value as Budget["period"])}
        >
          <option value="day">day</option>
          <option value="week">week</option>
          <option value="month">month</option>
        </SelectField>
      </div>
      <fieldset className="fieldset">
        <legend>Allowed models</legend>
        <CheckboxField
          label="All models"
          checked={allModels}
          onChecked={setAllModels}
          hint="Untick to allow only the models chosen below."
        />
        <div className="choice-list">
          {choices.length === 0 ? <p className="hint">No models in the catalogue.</p> : null}
          {choices.map((choice) => (
            <CheckboxField
              key={choice.value}
              label={choice.label}
              disabled={allModels}
              checked={!allModels && allowed.includes(choice.value)}
              onChecked={(checked) =>
                setAllowed((current) =>
                  checked ? [...current, choice.value] : current.filter((entry) => entry !== choice.value),
                )
              }
            />
          ))}
        </div>
      </fieldset>
      <FormFooter submitLabel="Save actor" submitDisabled={saving} error={error} onCancel={onDone} />
    </form>
  );
}
