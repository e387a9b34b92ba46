import type { QueryKey } from "@tanstack/react-query";
import type { FormEvent } from "react";
import type { ApiClient } from "../api/client.js";
import { useChange } from "../api/queries.js";

/**
 * A dialog form's save: on submit the change, then `onDone` (the dialog closes), and the lists it `affects` are
 * fetched again. The form shows `error` in its footer and keeps its button off while `saving`.
 */
export function useFormSave(
  change: (api: ApiClient) => Promise<unknown>,
  affects: readonly QueryKey[],
  onDone: () => void,
) {
  const save = useChange((api, _: undefined) => change(api), affects);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(undefined, { onSuccess: onDone });
  };
  return { onSubmit, error: save.error, saving: save.isPending };
}
