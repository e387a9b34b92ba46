import { useEffect, useState } from "react";

/**
 * Hash routing (`/admin/#/providers`): the server serves one index.html at /admin/ and needs no fallback
 * for client paths; back and forward work, and a reload keeps the page.
 */
export function currentPath(): string {
  const hash = window.location.hash.replace(/^#/, "");
  return hash.startsWith("/") ? hash : `/${hash}`;
}

export function useHashPath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const changed = () => setPath(currentPath());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return path;
}

export function navigate(path: string): void {
  window.location.hash = path;
}
