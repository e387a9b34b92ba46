import { useState } from "react";
import { KEYS, useChange, useProviders } from "../api/queries.js";
import type { Provider } from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { ACTIONS_COLUMN } from "../components/data-table.js";
import { Dialog } from "../components/dialog.js";
import { ListTable } from "../components/list-states.js";
import { Page } from "../components/page.js";
import { EditDeleteButtons, NameCell } from "../components/row-parts.js";
import { Badge } from "../components/states.js";
import { ProviderForm } from "../forms/provider-form.js";
import { ProviderKeyForm } from "../forms/provider-key-form.js";
import { providerTypeLabel } from "../forms/provider-types.js";
import { canSetCentralKey, credentialText, keyPolicyText } from "../providers/credential-text.js";
import { useSession } from "../session/session.js";

type Open =
  | { kind: "add" }
  | { kind: "edit"; provider: Provider }
  | { kind: "key"; provider: Provider }
  | { kind: "delete"; provider: Provider }
  | null;

const COLUMNS = ["Name", "Type", "Credentials", "Key policy", "Source"];

const SOURCE_NAMES = { file: "Config file", builtin: "Built in", database: "Admin API" } as const;

function CredentialStatus({ provider }: { provider: Provider }) {
  const { badge, tone, detail } = credentialText(provider);
  const users = provider.keyPolicy.allowUserKeys
    ? `${provider.userKeysSaved} personal key${provider.userKeysSaved === 1 ? "" : "s"} saved`
    : undefined;
  return (
    <>
      <Badge tone={tone}>{badge}</Badge>
      {detail ? <span className="cell-sub">{detail}</span> : null}
      {users ? <span className="cell-sub">{users}</span> : null}
    </>
  );
}

export function ProvidersPage() {
  const { canWrite } = useSession();
  const providers = useProviders();
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const remove = useChange(
    (api, provider: Provider) =>
      api.send("DELETE", `/admin/api/providers/${encodeURIComponent(provider.id)}`),
    [KEYS.providers, KEYS.models],
  );
  const clearKey = useChange(
    (api, provider: Provider) =>
      api.send("DELETE", `/admin/api/providers/${encodeURIComponent(provider.id)}/key`),
    [KEYS.providers],
  );

  return (
    <Page
      title="Providers"
      intro="The LLM providers the gateway sends requests to, how each authenticates and whose keys it uses."
      actions={
        canWrite ? (
          <button type="button" className="button primary" onClick={() => setOpen({ kind: "add" })}>
            Add provider
          </button>
        ) : null
      }
    >
      <ListTable
        items={providers.data}
        pending={providers.isPending}
        error={providers.error ?? clearKey.error}
        loading={{ rows: 4, label: "Loading providers…" }}
        empty={`No providers yet. ${canWrite ? "Add one to start routing requests." : ""}`}
        label="Providers"
        columns={canWrite ? [...COLUMNS, ACTIONS_COLUMN] : COLUMNS}
        row={(provider) => (
          <tr key={provider.id}>
            <NameCell name={provider.displayName} detail={provider.id} />
            <td className="nowrap">{providerTypeLabel(provider.type)}</td>
            <td>
              <CredentialStatus provider={provider} />
            </td>
            <td>{keyPolicyText(provider)}</td>
            <td className="nowrap">{provider.source ? SOURCE_NAMES[provider.source] : "—"}</td>
            {canWrite ? (
              <td className="actions">
                {/* Two lines: the entry's own actions, then its central key's. */}
                <div className="row-actions-stack">
                  <div className="row-actions">
                    {provider.editable ? (
                      <EditDeleteButtons
                        onEdit={() => setOpen({ kind: "edit", provider })}
                        onDelete={() => {
                          remove.reset();
                          setOpen({ kind: "delete", provider });
                        }}
                      />
                    ) : (
                      <span className="from-config">from config file</span>
                    )}
                  </div>
                  {canSetCentralKey(provider) || provider.storedCentralKey ? (
                    <div className="row-actions">
                      {canSetCentralKey(provider) ? (
                        <button
                          type="button"
                          className="button small"
                          onClick={() => setOpen({ kind: "key", provider })}
                        >
                          Set key
                        </button>
                      ) : null}
                      {provider.storedCentralKey ? (
                        <button
                          type="button"
                          className="button small danger"
                          disabled={clearKey.isPending}
                          onClick={() => clearKey.mutate(provider)}
                        >
                          Clear stored key
                        </button>
                      ) : null}
                    </div>
                  ) : null}
                </div>
              </td>
            ) : null}
          </tr>
        )}
      />

      <Dialog title="Add provider" open={open?.kind === "add"} onClose={close}>
        <ProviderForm onDone={close} />
      </Dialog>
      <Dialog title="Edit provider" open={open?.kind === "edit"} onClose={close}>
        {open?.kind === "edit" ? <ProviderForm provider={open.provider} onDone={close} /> : null}
      </Dialog>
      <Dialog
        title={open?.kind === "key" ? `Set key for ${open.provider.displayName}` : "Set key"}
        open={open?.kind === "key"}
        onClose={close}
      >
        {open?.kind === "key" ? <ProviderKeyForm provider={open.provider} onDone={close} /> : null}
      </Dialog>
      <ConfirmDialog
        action="Delete provider"
        subject={open?.kind === "delete" ? open.provider : undefined}
        change={remove}
        onClose={close}
      >
        {(provider) => (
          <p>
            Delete <strong>{provider.displayName}</strong> and the keys stored for it? Its models must be
            deleted first. This cannot be undone.
          </p>
        )}
      </ConfirmDialog>
    </Page>
  );
}
