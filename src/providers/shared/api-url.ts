/**
 * Joins a provider base URL with an API path. Base URLs may already carry the version prefix
 * (`https://api.openai.com/v1`, a proxy's `…/inference/v1`): it is not repeated.
 */
export function apiUrl(base: string, versionPrefix: string, path: string): string {
  const trimmed = base.replace(/\/+$/, "");
  return trimmed.endsWith(versionPrefix) ? trimmed + path : trimmed + versionPrefix + path;
}

/** Adds a query parameter, keeping any query the base URL had. */
export function withQuery(url: string, name: string, value: string): string {
  const separator = url.includes("?") ? "&" : "?";
  return `${url}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
}
