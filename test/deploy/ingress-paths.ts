/** One entry of an Ingress rule's `http.paths` (networking.k8s.io/v1). */
export interface IngressPath {
  path: string;
  pathType: string;
}

/**
 * Whether any of `paths` sends `requestPath` to its backend. Prefix and Exact as Kubernetes defines them (Prefix
 * matches whole path elements: `/v1` takes `/v1` and `/v1/models`, not `/v1x`). ImplementationSpecific is up to the
 * controller, so it is read as the widest match any controller makes of it, a plain string prefix: a path found
 * unrouted here is unrouted everywhere.
 */
export function ingressRoutes(paths: readonly IngressPath[], requestPath: string): boolean {
  return paths.some(({ path, pathType }) => {
    if (pathType === "Exact") return requestPath === path;
    if (pathType === "Prefix") {
      const prefix = path.replace(/\/+$/, "");
      return prefix === "" || requestPath === prefix || requestPath.startsWith(`${prefix}/`);
    }
    return requestPath.startsWith(path);
  });
}

/**
 * The request paths of the README's route tables: each row whose first cell starts with a method and a path
 * (`GET /v1/models`, `GET/POST /admin/api/tokens`), placeholders (`{id}`) filled in and queries left out.
 */
export function readmeRoutePaths(readme: string): string[] {
  const paths = new Set<string>();
  for (const [, firstCell] of readme.matchAll(/^\| (`[A-Z]+(?:\/[A-Z]+)* \/[^|]*)\|/gm))
    for (const [, span] of firstCell!.matchAll(/`[A-Z]+(?:\/[A-Z]+)* (\/[^`]*)`/g))
      paths.add(span!.replace(/\{[^}]*\}/g, "x").replace(/[?\s].*$/, ""));
  return [...paths];
}
