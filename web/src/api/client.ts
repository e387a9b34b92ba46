import { ApiError, apiErrorOf } from "./api-error.js";

export type Query = Record<string, string | number | undefined>;
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Calls the gateway with the session's token; every refusal becomes an ApiError with the server's message. */
export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  send<T>(method: Exclude<Method, "GET">, path: string, body?: unknown): Promise<T>;
  /** A download (CSV) as a Blob, with the same authentication. */
  blob(path: string, query?: Query): Promise<Blob>;
  /** A request with the token and nothing else: the caller reads the answer (a stream) itself. */
  raw(path: string, init: RequestInit): Promise<Response>;
}

export function withQuery(path: string, query: Query = {}): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") parameters.set(name, String(value));
  }
  const search = parameters.toString();
  return search === "" ? path : `${path}?${search}`;
}

/** A path segment from an id that may hold `:` or `/` (model refs). */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

export async function call(token: string, method: Method, path: string, body?: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: "no-store",
    });
  } catch {
    throw new ApiError("The gateway could not be reached. Check that it is running and try again.", 0);
  }
  if (!response.ok) throw await apiErrorOf(response);
  return response;
}

async function json<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** `onUnauthorized`: the token stopped working (revoked, expired) — the session ends. */
export function createApiClient(token: string, onUnauthorized: (error: ApiError) => void): ApiClient {
  const guarded = async (method: Method, path: string, body?: unknown) => {
    try {
      return await call(token, method, path, body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) onUnauthorized(error);
      throw error;
    }
  };
  return {
    get: async (path, query) => json(await guarded("GET", withQuery(path, query))),
    send: async (method, path, body) => json(await guarded(method, path, body)),
    blob: async (path, query) => (await guarded("GET", withQuery(path, query))).blob(),
    raw: (path, init) =>
      fetch(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
      }),
  };
}
