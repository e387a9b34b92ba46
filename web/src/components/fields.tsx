import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from "react";

interface FieldChrome {
  label: string;
  hint?: ReactNode;
}

/** The control's id, and its hint's id when there is a hint: the control is described by it. */
function useFieldIds(hint: ReactNode): { id: string; hintId: string | undefined } {
  const id = useId();
  return { id, hintId: hint ? `${id}-hint` : undefined };
}

function Hint({ id, children }: { id: string | undefined; children: ReactNode }) {
  return id ? (
    <p id={id} className="hint">
      {children}
    </p>
  ) : null;
}

const fieldClass = (className: string | undefined) => (className ? `field ${className}` : "field");

export type TextFieldProps = FieldChrome & {
  /** Called with the text on each change; the form keeps it as typed. */
  onValue: (value: string) => void;
  markOptional?: boolean;
  /** Text used exactly as typed (an id, a URL, a key): the browser neither suggests nor spell-checks it. */
  verbatim?: boolean;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "onChange">;

/**
 * A labelled input; `hint` is read out with it (aria-describedby). Fields that are not required say "optional",
 * unless `markOptional` is false (filters, where every field is).
 */
export function TextField({
  label,
  hint,
  className,
  markOptional = true,
  verbatim = false,
  onValue,
  ...input
}: TextFieldProps) {
  const { id, hintId } = useFieldIds(hint);
  return (
    <div className={fieldClass(className)}>
      <div className="label-row">
        <label htmlFor={id}>{label}</label>
        {/* Outside the label: the field's accessible name stays its label alone. */}
        {!markOptional || input.required || input.disabled || input.readOnly ? null : (
          <span className="optional">optional</span>
        )}
      </div>
      <input
        id={id}
        aria-describedby={hintId}
        onChange={(event) => onValue(event.target.value)}
        {...(verbatim ? { autoComplete: "off", spellCheck: false } : {})}
        {...input}
      />
      <Hint id={hintId}>{hint}</Hint>
    </div>
  );
}

/** A key or token: hidden as typed, never offered for autofill (a new password to the browser), sent verbatim. */
export function SecretField(field: Omit<TextFieldProps, "type">) {
  return <TextField type="password" autoComplete="new-password" spellCheck={false} {...field} />;
}

/** A number as typed (the server judges it): whole numbers unless `step` says otherwise. */
export function NumberField({ step = 1, ...field }: Omit<TextFieldProps, "type">) {
  return <TextField type="number" step={step} {...field} />;
}

export function SelectField({
  label,
  hint,
  children,
  className,
  onValue,
  ...select
}: FieldChrome & {
  onValue: (value: string) => void;
  children: ReactNode;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, "onChange">) {
  const { id, hintId } = useFieldIds(hint);
  return (
    <div className={fieldClass(className)}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-describedby={hintId} onChange={(event) => onValue(event.target.value)} {...select}>
        {children}
      </select>
      <Hint id={hintId}>{hint}</Hint>
    </div>
  );
}

export function CheckboxField({
  label,
  hint,
  onChecked,
  ...input
}: FieldChrome & { onChecked: (checked: boolean) => void } & Omit<
    InputHTMLAttributes<HTMLInputElement>,
    "onChange"
  >) {
  const { id, hintId } = useFieldIds(hint);
  return (
    <div className="check">
      <input
        id={id}
        type="checkbox"
        aria-describedby={hintId}
        onChange={(event) => onChecked(event.target.checked)}
        {...input}
      />
      <label htmlFor={id}>{label}</label>
      <Hint id={hintId}>{hint}</Hint>
    </div>
  );
}

export type Choice = string | { value: string; label: string };

/** A select's options; a plain string is its own label. */
export function Options({ choices }: { choices: readonly Choice[] }) {
  return (
    <>
      {choices.map((choice) => {
        const { value, label } = typeof choice === "string" ? { value: choice, label: choice } : choice;
        return (
          <option key={value} value={value}>
            {label}
          </option>
        );
      })}
    </>
  );
}
