import { type ReactNode, useEffect, useRef } from "react";
import type { Role } from "../api/types.js";
import { useSession } from "../session/session.js";

export interface NavEntry {
  path: string;
  label: string;
}

const ROLE_NAMES: Record<Role, string> = { admin: "admin", readonly: "readonly", user: "user" };

/** The console's frame: the main navigation, who is signed in, and the page. */
export function Layout({ pages, path, children }: { pages: NavEntry[]; path: string; children: ReactNode }) {
  const { me, signOut } = useSession();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After a navigation, focus goes to the new page's heading so keyboard and screen-reader users start there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each change of page.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [path]);

  return (
    <div className="shell">
      <button
        type="button"
        className="skip-link"
        onClick={() => main.current?.querySelector<HTMLElement>("h1")?.focus()}
      >
        Skip to content
      </button>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </div>
        <nav aria-label="Main">
          <ul>
            {pages.map((page) => (
              <li key={page.path}>
                <a href={`#${page.path}`} aria-current={page.path === path ? "page" : undefined}>
                  {page.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="whoami">
          <p className="whoami-label">Signed in as</p>
          <p className="whoami-name">{me.name || me.actorId}</p>
          <p className="whoami-role">
            Role: <strong>{ROLE_NAMES[me.role]}</strong>
          </p>
          <button type="button" className="button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <main ref={main} className="main">
        {me.role === "readonly" ? (
          <p className="readonly-note">
            <strong>Read-only access.</strong> This token can look at everything here but change nothing.
          </p>
        ) : null}
        {children}
      </main>
    </div>
  );
}
