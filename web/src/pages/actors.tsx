import { useState } from "react";
import { KEYS, useActors, useChange, useTokens } from "../api/queries.js";
import { type Actor, LIMIT_FEATURES, type Limit, type Token } from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { Dialog } from "../components/dialog.js";
import { ErrorAlert } from "../components/error-alert.js";
import { Page, Section } from "../components/page.js";
import { Badge, EmptyState, TableSkeleton } from "../components/states.js";
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
        <ErrorAlert error={actors.error} />
        {actors.isPending ? (
          <TableSkeleton rows={3} label="Loading actors…" />
        ) : actors.data?.length === 0 ? (
          <EmptyState>No actors yet. Creating a token makes one.</EmptyState>
        ) : actors.data ? (
          <div className="table-wrap">
            <table className="table" aria-label="Actors">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Limits</th>
                  <th scope="col">Budget</th>
                  <th scope="col">Allowed models</th>
                  {canWrite ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {actors.data.map((actor) => (
                  <tr key={actor.id}>
                    <th scope="row">
                      {actor.name}
                      <span className="cell-sub mono">{actor.id}</span>
                    </th>
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
                            <button
                              type="button"
                              className="button small"
                              onClick={() => setOpen({ kind: "edit", actor })}
                            >
                              Edit
                            </button>
                            <button
                              type="button"
                              className="button small danger"
                              disabled={actor.id === me.actorId}
                              title={actor.id === me.actorId ? "You are signed in as this actor" : undefined}
                              onClick={() => {
                                removeActor.reset();
                                setOpen({ kind: "delete", actor });
                              }}
                            >
                              Delete
                            </button>
                          </div>
                        ) : (
                          <span className="from-config">
                            {actor.source === "config" ? "from config file" : `from ${actor.source}`}
                          </span>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Section>

      {canWrite ? (
        <div className="section">
          <TokenForm actors={actors.data ?? []} />
        </div>
      ) : null}

      <Section title="Tokens">
        <ErrorAlert error={tokens.error} />
        {tokens.isPending ? (
          <TableSkeleton rows={3} label="Loading tokens…" />
        ) : tokens.data?.length === 0 ? (
          <EmptyState>No tokens yet.</EmptyState>
        ) : tokens.data ? (
          <div className="table-wrap">
            <table className="table" aria-label="Tokens">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Actor</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  {canWrite ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {tokens.data.map((token) => {
                  const state = tokenState(token);
                  return (
                    <tr key={token.id}>
                      <th scope="row">
                        {token.name}
                        {token.hint ? <span className="cell-sub mono">{token.hint}</span> : null}
                      </th>
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
                })}
              </tbody>
            </table>
          </div>
        ) : null}
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
        title="Delete actor"
        open={open?.kind === "delete"}
        onClose={close}
        confirmLabel="Delete actor"
        pending={removeActor.isPending}
        error={removeActor.error}
        onConfirm={() => open?.kind === "delete" && removeActor.mutate(open.actor, { onSuccess: close })}
      >
        {open?.kind === "delete" ? (
          <p>
            Delete <strong>{open.actor.name}</strong>? Its tokens stop working at once and its personal keys
            are deleted.
          </p>
        ) : null}
      </ConfirmDialog>
      <ConfirmDialog
        title="Revoke token"
        open={open?.kind === "revoke"}
        onClose={close}
        confirmLabel="Revoke token"
        pending={revoke.isPending}
        error={revoke.error}
        onConfirm={() => open?.kind === "revoke" && revoke.mutate(open.token, { onSuccess: close })}
      >
        {open?.kind === "revoke" ? (
          <p>
            Revoke <strong>{open.token.name}</strong> of {actorName(open.token.actorId)}? Requests with it are
            refused from now on, on every replica.
          </p>
        ) : null}
      </ConfirmDialog>
    </Page>
  );
}
