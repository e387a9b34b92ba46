import { type QueryKey, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSession } from "../session/session.js";
import type { ApiClient } from "./client.js";
import type { Actor, DefaultsAnswer, ModelList, MyKey, Provider, Token } from "./types.js";

/** The admin API's lists, one query each, shared by the pages that show them. */

export const KEYS = {
  providers: ["providers"],
  models: ["models"],
  defaults: ["defaults"],
  actors: ["actors"],
  tokens: ["tokens"],
  myKeys: ["my-keys"],
  clientModels: ["client-models"],
  usage: ["usage"],
  audit: ["audit"],
} as const satisfies Record<string, QueryKey>;

/** A read with the session's token, cached under `queryKey`; not `enabled`, it waits (a role that may not). */
export function useApiQuery<Data>(
  queryKey: QueryKey,
  read: (api: ApiClient) => Promise<Data>,
  enabled = true,
) {
  const { api } = useSession();
  return useQuery({ queryKey, queryFn: () => read(api), enabled });
}

/** A GET answered with one list under `field` (`{ "providers": [...] }`): that list. */
function useList<Item>(queryKey: QueryKey, path: string, field: string, enabled = true) {
  return useApiQuery(
    queryKey,
    async (api) => (await api.get<Record<string, Item[]>>(path))[field] ?? [],
    enabled,
  );
}

export function useProviders() {
  return useList<Provider>(KEYS.providers, "/admin/api/providers", "providers");
}

export function useModels() {
  return useApiQuery(KEYS.models, (api) => api.get<ModelList>("/admin/api/models"));
}

export function useDefaults() {
  return useApiQuery(KEYS.defaults, (api) => api.get<DefaultsAnswer>("/admin/api/defaults"));
}

export function useActors() {
  return useList<Actor>(KEYS.actors, "/admin/api/actors", "actors");
}

export function useTokens() {
  return useList<Token>(KEYS.tokens, "/admin/api/tokens", "tokens");
}

export function useMyKeys(enabled: boolean) {
  return useList<MyKey>(KEYS.myKeys, "/v1/me/keys", "keys", enabled);
}

/** The models the signed-in token may call (`GET /v1/models`), for the latency test. */
export function useClientModels(enabled: boolean) {
  return useApiQuery(
    KEYS.clientModels,
    async (api) => (await api.get<{ data: { id: string }[] }>("/v1/models")).data.map((model) => model.id),
    enabled,
  );
}

/** A change through the API; on success the lists it affects are fetched again. */
export function useChange<Variables, Result = unknown>(
  change: (api: ApiClient, variables: Variables) => Promise<Result>,
  affects: readonly QueryKey[],
) {
  const { api } = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (variables: Variables) => change(api, variables),
    onSuccess: () => Promise.all(affects.map((queryKey) => client.invalidateQueries({ queryKey }))),
  });
}
