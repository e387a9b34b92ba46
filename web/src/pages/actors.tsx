import { useState } from "react";
import { KEYS, useActors, useChange, useTokens } from "../api/queries.js";
import { type Actor, LIMIT_FEATURES, type Limit, type Token } from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { ACTIONS_COLUMN } from "../components/data-table.js";
import { Dialog } from "../components/dialog.js";
import { ListTable } from "../components/list-states.js";
import { Page, Section } from "../components/page.js";
import { EditDeleteButtons, NameCell } from "../components/row-parts.js";
import { Badge } from "../components/states.js";
import { formatDateTime, formatInteger, formatUsd } from "../format.js";
import { ActorForm, LIMIT_FEATURE_NAMES } from "../forms/actor-form.js";
import { TokenForm } from "../forms/token-form.js";
import { useSession } from "../session/session.js";

type Open =
  | { kind: "add" }
  | { kind: "edit"; actor: Actor }
  | { kind: "delete"; actor: Actor }
  | { kind: "revoke"; token: Token }
  | null;

function limitText(limit: Limit): string {
  const per = limit.interval ? ` / ${limit.interval}` : "";
  return [
    limit.requests !== undefined ? `${formatInteger(limit.requests)} req${per}` : undefined,
    limit.tokens !== undefined ? `${formatInteger(limit.tokens)} tokens${per}` : undefined,
    limit.concurrent !== undefined ? `${limit.concurrent} at once` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(", ");
}

function LimitsSummary({ actor }: { actor: Actor }) {
  const limits = actor.limits ?? {};
  const lines = LIMIT_FEATURES.filter((feature) => limits[feature]).map(
    (feature) => `${LIMIT_FEATURE_NAMES[feature]}: ${limitText(limits[feature]!)}`,
  );
  if (lines.length === 0) return <span className="muted">Defaults</span>;
  return (
    <>
      {lines.map((line) => (
        <span key={line} className="cell-sub">
          {line}
        </span>
      ))}
    </>
  );
}

const ACTOR_COLUMNS = ["Name", "Role", "Status", "Limits", "Budget", "Allowed models"];

const TOKEN_COLUMNS = ["Name", "Actor", "State", "Created", "Expires", "Last used"];

const TOKEN_TONES = { active: "ok", revoked: "danger", expired: "warn" } as const;

function tokenState(token: Token): "active" | "revoked" | "expired" {
  if (token.state) return token.state;
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return "expired";
  return "active";
}

export function ActorsPage() {
  const { canWrite, me } = useSession();
  const actors = useActors();
  const tokens = useTokens();
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const removeActor = useChange(
    (api, actor: Actor) => api.send("DELETE", `/admin/api/actors/${encodeURIComponent(actor.id)}`),
    [KEYS.actors, KEYS.tokens],
  );
  const revoke = useChange(
    (api, token: Token) => api.send("DELETE", `/admin/api/tokens/${encodeURIComponent(token.id)}`),
    [KEYS.tokens],
  );
  const actorName = (id: string) => actors.data?.find((actor) => actor.id === id)?.name ?? id;

  return (
    <Page
      title="Actors & tokens"
      intro="Who may use the gateway: each actor's role, limits, budget and models, and the tokens that sign in as it."
    >
      <Section
        title="Actors"
        actions={
          canWrite ? (
            <button type="button" className="button" onClick={() => setOpen({ kind: "add" })}>
              Add actor
            </button>
          ) : null
        }
      >
        <ListTable
          items={actors.data}
          pending={actors.isPending}
          error={actors.error}
          loading={{ rows: 3, label: "Loading actors…" }}
          empty="No actors yet. Creating a token makes one."
          label="Actors"
          columns={canWrite ? [...ACTOR_COLUMNS, ACTIONS_COLUMN] : ACTOR_COLUMNS}
          row={(actor) => (
            <tr key={actor.id}>
              <NameCell name={actor.name} detail={actor.id} />
              <td>{actor.role}</td>
              <td>
                <Badge tone={actor.status === "active" ? "ok" : "danger"}>{actor.status}</Badge>
              </td>
              <td>
                <LimitsSummary actor={actor} />
              </td>
              <td>{actor.budget ? `${formatUsd(actor.budget.usd)} / ${actor.budget.period}` : "—"}</td>
              <td className="cell-wrap">
                {actor.allowedModels === null ? (
                  <span className="muted">All</span>
                ) : actor.allowedModels.length === 0 ? (
                  "None"
                ) : (
                  actor.allowedModels.join(", ")
                )}
              </td>
              {canWrite ? (
                <td className="actions">
                  {actor.source === "database" ? (
                    <div className="row-actions">
                      <EditDeleteButtons
                        onEdit={() => setOpen({ kind: "edit", actor })}
                        onDelete={() => {
                          removeActor.reset();
                          setOpen({ kind: "delete", actor });
                        }}
                        deleteBlockedBy={
                          actor.id === me.actorId ? "You are signed in as this actor" : undefined
                        }
                      />
                    </div>
                  ) : (
                    <span className="from-config">
                      {actor.source === "config" ? "from config file" : `from ${actor.source}`}
                    </span>
                  )}
                </td>
              ) : null}
            </tr>
          )}
        />
      </Section>

      {canWrite ? (
        <div className="section">
          <TokenForm actors={actors.data ?? []} />
        </div>
      ) : null}

      <Section title="Tokens">
        <ListTable
          items={tokens.data}
          pending={tokens.isPending}
          error={tokens.error}
          loading={{ rows: 3, label: "Loading tokens…" }}
          empty="No tokens yet."
          label="Tokens"
          columns={canWrite ? [...TOKEN_COLUMNS, ACTIONS_COLUMN] : TOKEN_COLUMNS}
          row={(token) => {
            const state = tokenState(token);
            return (
              <tr key={token.id}>
                <NameCell name={token.name} detail={token.hint} />
                <td>{actorName(token.actorId)}</td>
                <td>
                  <Badge tone={TOKEN_TONES[state]}>{state}</Badge>
                </td>
                <td>{formatDateTime(token.createdAt)}</td>
                <td>{token.expiresAt ? formatDateTime(token.expiresAt) : "Never"}</td>
                <td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "Never"}</td>
                {canWrite ? (
                  <td className="actions">
                    {state === "active" ? (
                      <button
                        type="button"
                        className="button small danger"
                        onClick={() => {
                          revoke.reset();
                          setOpen({ kind: "revoke", token });
                        }}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          }}
        />
      </Section>

      <Dialog title="Add actor" open={open?.kind === "add"} onClose={close} wide>
        <ActorForm onDone={close} />
      </Dialog>
      <Dialog
        title={open?.kind === "edit" ? `Edit ${open.actor.name}` : "Edit actor"}
        open={open?.kind === "edit"}
        onClose={close}
        wide
      >
        {open?.kind === "edit" ? <ActorForm actor={open.actor} onDone={close} /> : null}
      </Dialog>
      <ConfirmDialog
        action="Delete actor"
        subject={open?.kind === "delete" ? open.actor : undefined}
        change={removeActor}
        onClose={close}
      >
        {(actor) => (
          <p>
            Delete <strong>{actor.name}</strong>? Its tokens stop working at once and its personal keys are
            deleted.
          </p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        action="Revoke token"
        subject={open?.kind === "revoke" ? open.token : undefined}
        change={revoke}
        onClose={close}
      >
        {(token) => (
          <p>
            Revoke <strong>{token.name}</strong> of {actorName(token.actorId)}? Requests with it are refused
            from now on, on every replica.
          </p>
        )}
      </ConfirmDialog>
    </Page>
  );
}
