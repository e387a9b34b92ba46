import { type FormEvent, useId, useRef, useState } from "react";
import { KEYS, useChange } from "../api/queries.js";
import type { Actor, CreatedToken, Role } from "../api/types.js";
import { Options, SelectField, TextField } from "../components/fields.js";
import { FormFooter } from "../components/form-footer.js";

/** The token, once: copied or not, it cannot be shown again after "Done". */
function NewToken({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const warningId = useId();
  const value = useRef<HTMLOutputElement>(null);
  const [copied, setCopied] = useState<string>("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied("Copied to the clipboard.");
    } catch {
      // No clipboard (a page not served over HTTPS): select the text so Ctrl+C copies it.
      const selection = window.getSelection();
      if (value.current && selection) {
        selection.selectAllChildren(value.current);
        setCopied("Selected: press Ctrl+C (⌘C) to copy.");
      }
    }
  };
  return (
    <div className="secret-once">
      <p id={warningId}>
        <strong>Token created for {created.actorId}.</strong> Copy it now: it is shown once and cannot be seen
        again.
      </p>
      <div className="secret-value">
        {/* The warning is the token's description: a screen reader hears "shown once" with the token. */}
        <output ref={value} aria-label="New token" aria-describedby={warningId} className="mono">
          {created.token}
        </output>
        <button type="button" className="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status" className="hint">
        {copied}
      </p>
      <div>
        <button type="button" className="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

/** Creates a token for a new actor (of the chosen role) or an existing one; shows it once. */
export function TokenForm({ actors }: { actors: Actor[] }) {
  const headingId = useId();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("user");
  const [actorId, setActorId] = useState("");
  const [expiresIn, setExpiresIn] = useState("");
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const actor = actors.find((entry) => entry.id === actorId);

  const create = useChange(
    (api, _: undefined) =>
      api.send<CreatedToken>("POST", "/admin/api/tokens", {
        name: name.trim(),
        // A token has its actor's role: the role is chosen only for a new actor.
        ...(actorId ? { actorId } : { role }),
        ...(expiresIn.trim() ? { expiresIn: expiresIn.trim() } : {}),
      }),
    [KEYS.tokens, KEYS.actors],
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(undefined, {
      onSuccess: (answer) => {
        setCreated(answer);
        setName("");
        setExpiresIn("");
      },
    });
  };

  return (
    <form className="card form" aria-labelledby={headingId} onSubmit={onSubmit}>
      <h2 id={headingId}>Create token</h2>
      {created ? <NewToken created={created} onDone={() => setCreated(null)} /> : null}
      <div className="form-row">
        <TextField
          label="Name"
          required
          value={name}
          onValue={setName}
          hint="Who or what uses it, e.g. “alice-laptop” or “ci”."
          autoComplete="off"
        />
        <TextField
          label="Expires in"
          value={expiresIn}
          onValue={setExpiresIn}
          placeholder="30d"
          hint="A duration such as 30d or 12h; empty never expires."
          autoComplete="off"
        />
      </div>
      <div className="form-row">
        <SelectField
          label="Actor"
          value={actorId}
          onValue={setActorId}
          hint="Optional: empty makes a new actor named after the token."
        >
          <option value="">New actor</option>
          <Options
            choices={actors.map((entry) => ({ value: entry.id, label: `${entry.name} (${entry.id})` }))}
          />
        </SelectField>
        <SelectField
          label="Role"
          disabled={actor !== undefined}
          value={actor ? actor.role : role}
          onValue={(value) => setRole(value as Role)}
          hint={actor ? "A token has its actor's role." : "The new actor's role."}
        >
          <option value="admin">admin</option>
          <option value="readonly">readonly</option>
          <option value="user">user</option>
        </SelectField>
      </div>
      <FormFooter submitLabel="Create token" submitDisabled={create.isPending} error={create.error} />
    </form>
  );
}
