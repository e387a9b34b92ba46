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

export function useProviders() {
  const { api } = useSession();
  return useQuery({
    queryKey: KEYS.providers,
    queryFn: async () => (await api.get<{ providers: Provider[] }>("/admin/api/providers")).providers,
  });
}

export function useModels() {
  const { api } = useSession();
  return useQuery({ queryKey: KEYS.models, queryFn: () => api.get<ModelList>("/admin/api/models") });
}

export function useDefaults() {
  const { api } = useSession();
  return useQuery({ queryKey: KEYS.defaults, queryFn: () => api.get<DefaultsAnswer>("/admin/api/defaults") });
}

export function useActors() {
  const { api } = useSession();
  return useQuery({
    queryKey: KEYS.actors,
    queryFn: async () => (await api.get<{ actors: Actor[] }>("/admin/api/actors")).actors,
  });
}

export function useTokens() {
  const { api } = useSession();
  return useQuery({
    queryKey: KEYS.tokens,
    queryFn: async () => (await api.get<{ tokens: Token[] }>("/admin/api/tokens")).tokens,
  });
}

export function useMyKeys(enabled: boolean) {
  const { api } = useSession();
  return useQuery({
    queryKey: KEYS.myKeys,
    queryFn: async () => (await api.get<{ keys: MyKey[] }>("/v1/me/keys")).keys,
    enabled,
  });
}

/** The models the signed-in token may call (`GET /v1/models`), for the latency test. */
export function useClientModels(enabled: boolean) {
  const { api } = useSession();
  return useQuery({
    queryKey: KEYS.clientModels,
    queryFn: async () =>
      (await api.get<{ data: { id: string }[] }>("/v1/models")).data.map((model) => model.id),
    enabled,
  });
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
