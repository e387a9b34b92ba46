import { useState } from "react";
import { KEYS, useChange, useDefaults, useModels, useProviders } from "../api/queries.js";
import {
  type DefaultFeature,
  type DefaultsAnswer,
  FEATURES,
  type Model,
  type Provider,
} from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { ACTIONS_COLUMN, type Column, DataTable } from "../components/data-table.js";
import { Dialog } from "../components/dialog.js";
import { ErrorAlert } from "../components/error-alert.js";
import { ListStates } from "../components/list-states.js";
import { Page } from "../components/page.js";
import { EditDeleteButtons, NameCell } from "../components/row-parts.js";
import { Badge } from "../components/states.js";
import { formatPrice, formatTokens } from "../format.js";
import { ModelForm } from "../forms/model-form.js";
import { useSession } from "../session/session.js";

type Open = { kind: "add" } | { kind: "edit"; model: Model } | { kind: "delete"; model: Model } | null;

const FEATURE_NAMES: Record<DefaultFeature, string> = {
  chat: "Chat",
  fastChat: "Fast chat",
  codeCompletion: "Code completion",
};

/** Under each star: short, as the star's own name says it in full. */
const SHORT_FEATURE_NAMES: Record<DefaultFeature, string> = {
  chat: "chat",
  fastChat: "fast",
  codeCompletion: "code",
};

const SOURCE_NOTES = {
  file: "set in the config file",
  database: "chosen here",
  automatic: "picked by the gateway",
} as const;

/** The same widths in every provider's table, so the columns line up down the page. */
const COLUMNS: Column[] = [
  { label: "Model", width: "22%" },
  { label: "Capabilities", width: "17%" },
  // Exact counts (128,000 / 4,096) on one line; longer ones break after the slash.
  { label: "Context in / out", numeric: true, width: "14%" },
  { label: "USD per 1M in / out", numeric: true, width: "13%" },
  { label: "Status", width: "9%" },
  { label: "Default for", width: "12%" },
];

interface Group {
  id: string;
  name: string;
  models: Model[];
}

/** Models under their provider's name, in the providers' order; models of an unknown provider last. */
function groupByProvider(models: Model[], providers: Provider[]): Group[] {
  const groups = new Map<string, Group>();
  for (const provider of providers)
    groups.set(provider.id, { id: provider.id, name: provider.displayName, models: [] });
  for (const model of models) {
    let group = groups.get(model.providerId);
    if (!group) {
      group = { id: model.providerId, name: model.providerId, models: [] };
      groups.set(model.providerId, group);
    }
    group.models.push(model);
  }
  return [...groups.values()].filter((group) => group.models.length > 0);
}

interface StarProps {
  model: Model;
  feature: DefaultFeature;
  defaults: DefaultsAnswer | undefined;
  canWrite: boolean;
  pending: boolean;
  onToggle: (model: Model, feature: DefaultFeature, on: boolean) => void;
}

/** The star that makes a model the default of a feature; pressed when it is. */
function DefaultStar({ model, feature, defaults, canWrite, pending, onToggle }: StarProps) {
  const pressed = defaults ? defaults.defaults[feature] === model.ref : model.defaultFor.includes(feature);
  const source = defaults?.sources[feature];
  // A file's default can change only in the file; an automatic one is cleared by starring another model.
  const locked = source === "file" || (pressed && source === "automatic");
  const why =
    source === "file"
      ? `The ${FEATURE_NAMES[feature].toLowerCase()} default is set in the config file`
      : pressed && source === "automatic"
        ? "Picked by the gateway; star another model to choose one"
        : pressed
          ? `Default for ${FEATURE_NAMES[feature].toLowerCase()}; press to clear`
          : `Make the default for ${FEATURE_NAMES[feature].toLowerCase()}`;
  return (
    <button
      type="button"
      className="star"
      aria-label={`Default for ${feature}: ${model.displayName}`}
      aria-pressed={pressed}
      title={why}
      disabled={!canWrite || locked || pending}
      onClick={() => onToggle(model, feature, !pressed)}
    >
      <span aria-hidden="true">{pressed ? "★" : "☆"}</span>
    </button>
  );
}

function Capabilities({ model }: { model: Model }) {
  return (
    <div className="badges">
      {model.capabilities.map((capability) => (
        <Badge key={capability}>{capability}</Badge>
      ))}
    </div>
  );
}

function DefaultsSummary({ defaults, models }: { defaults: DefaultsAnswer; models: Model[] }) {
  const name = (ref: string | null) =>
    ref ? (models.find((model) => model.ref === ref)?.displayName ?? ref) : "none";
  return (
    <div className="stats defaults-stats">
      {FEATURES.map((feature) => (
        <div key={feature} className="stat">
          <p className="stat-label">Default for {FEATURE_NAMES[feature].toLowerCase()}</p>
          <p className="cell-wrap">
            <strong>{name(defaults.defaults[feature])}</strong>
          </p>
          <p className="cell-sub">{SOURCE_NOTES[defaults.sources[feature] ?? "automatic"]}</p>
        </div>
      ))}
    </div>
  );
}

export function ModelsPage() {
  const { canWrite } = useSession();
  const models = useModels();
  const providers = useProviders();
  const defaults = useDefaults();
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const setDefault = useChange(
    (api, change: Partial<Record<DefaultFeature, string | null>>) =>
      api.send("PUT", "/admin/api/defaults", change),
    [KEYS.models, KEYS.defaults],
  );
  const remove = useChange(
    (api, model: Model) => api.send("DELETE", `/admin/api/models/${encodeURIComponent(model.ref)}`),
    [KEYS.models, KEYS.defaults, KEYS.clientModels],
  );
  const onToggle = (model: Model, feature: DefaultFeature, on: boolean) =>
    setDefault.mutate({ [feature]: on ? model.ref : null });

  const groups = models.data && providers.data ? groupByProvider(models.data.models, providers.data) : [];

  return (
    <Page
      title="Models"
      intro="The models each provider serves, their prices, and the default model of each feature (the stars)."
      actions={
        canWrite ? (
          <button
            type="button"
            className="button primary"
            disabled={!providers.data?.length}
            onClick={() => setOpen({ kind: "add" })}
          >
            Add model
          </button>
        ) : null
      }
    >
      <ErrorAlert error={models.error ?? providers.error ?? defaults.error ?? setDefault.error} />
      {defaults.data && models.data ? (
        <DefaultsSummary defaults={defaults.data} models={models.data.models} />
      ) : (
        <div className="stats defaults-stats" aria-hidden="true">
          {FEATURES.map((feature) => (
            <div key={feature} className="stat">
              <p className="stat-label">&nbsp;</p>
              <p>&nbsp;</p>
              <p className="cell-sub">&nbsp;</p>
            </div>
          ))}
        </div>
      )}
      <ListStates
        items={models.data ? groups : undefined}
        pending={models.isPending || providers.isPending}
        loading={{ rows: 4, label: "Loading models…" }}
        empty={`No models yet. ${canWrite ? "Add a provider, then its models." : ""}`}
      >
        {(list) =>
          list.map((group) => (
            <section key={group.id} className="provider-section" aria-labelledby={`provider-${group.id}`}>
              <div className="section-header">
                <h2 id={`provider-${group.id}`}>{group.name}</h2>
              </div>
              <DataTable
                label={`${group.name} models`}
                className="models-table"
                columns={canWrite ? [...COLUMNS, { ...ACTIONS_COLUMN, width: "13%" }] : COLUMNS}
              >
                {group.models.map((model) => (
                  <tr key={model.ref}>
                    <NameCell name={model.displayName} detail={model.ref} />
                    <td>
                      <Capabilities model={model} />
                    </td>
                    <td className="number">
                      {/* A narrow column breaks after the slash, never inside a number. */}
                      <span className="nowrap">{formatTokens(model.contextWindow.maxInputTokens)} /</span>{" "}
                      <span className="nowrap">{formatTokens(model.contextWindow.maxOutputTokens)}</span>
                    </td>
                    <td className="number">
                      {model.pricing
                        ? `${formatPrice(model.pricing.input)} / ${formatPrice(model.pricing.output)}`
                        : "—"}
                    </td>
                    <td>
                      {model.available ? (
                        <Badge tone={model.status === "stable" ? "ok" : "neutral"}>
                          {model.status ?? "—"}
                        </Badge>
                      ) : (
                        <Badge tone="danger">unavailable</Badge>
                      )}
                    </td>
                    <td>
                      <div className="stars">
                        {FEATURES.map((feature) => (
                          <span key={feature} className="star-item">
                            <DefaultStar
                              model={model}
                              feature={feature}
                              defaults={defaults.data}
                              canWrite={canWrite}
                              pending={setDefault.isPending}
                              onToggle={onToggle}
                            />
                            <span className="star-label" aria-hidden="true">
                              {SHORT_FEATURE_NAMES[feature]}
                            </span>
                          </span>
                        ))}
                      </div>
                    </td>
                    {canWrite ? (
                      <td className="actions">
                        {model.editable ? (
                          <div className="row-actions">
                            <EditDeleteButtons
                              onEdit={() => setOpen({ kind: "edit", model })}
                              onDelete={() => {
                                remove.reset();
                                setOpen({ kind: "delete", model });
                              }}
                            />
                          </div>
                        ) : (
                          <span className="from-config">from config file</span>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </DataTable>
            </section>
          ))
        }
      </ListStates>

      <Dialog title="Add model" open={open?.kind === "add"} onClose={close} wide>
        <ModelForm providers={providers.data ?? []} onDone={close} />
      </Dialog>
      <Dialog title="Edit model" open={open?.kind === "edit"} onClose={close} wide>
        {open?.kind === "edit" ? (
          <ModelForm providers={providers.data ?? []} model={open.model} onDone={close} />
        ) : null}
      </Dialog>
      <ConfirmDialog
        action="Delete model"
        subject={open?.kind === "delete" ? open.model : undefined}
        change={remove}
        onClose={close}
      >
        {(model) => (
          <p>
            Delete <strong>{model.displayName}</strong> (<code>{model.ref}</code>)? Requests naming it will be
            refused.
          </p>
        )}
      </ConfirmDialog>
    </Page>
  );
}
