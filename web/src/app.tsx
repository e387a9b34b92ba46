import { type ReactNode, useEffect } from "react";
import type { Role } from "./api/types.js";
import { Layout } from "./components/layout.js";
import { ActorsPage } from "./pages/actors.js";
import { AuditLogPage } from "./pages/audit-log.js";
import { LatencyTestPage } from "./pages/latency-test.js";
import { ModelsPage } from "./pages/models.js";
import { MyKeysPage } from "./pages/my-keys.js";
import { ProvidersPage } from "./pages/providers.js";
import { SignInPage } from "./pages/sign-in.js";
import { UsagePage } from "./pages/usage.js";
import { useHashPath } from "./router.js";
import { SessionGate, useSession } from "./session/session.js";

interface PageEntry {
  path: string;
  label: string;
  roles: readonly Role[];
  Component: () => ReactNode;
}

const STAFF: readonly Role[] = ["admin", "readonly"];
const EVERYONE: readonly Role[] = ["admin", "readonly", "user"];

/** The pages and who sees them: user tokens get the self-service pages only. */
const PAGES: readonly PageEntry[] = [
  { path: "/providers", label: "Providers", roles: STAFF, Component: ProvidersPage },
  { path: "/models", label: "Models", roles: STAFF, Component: ModelsPage },
  { path: "/actors", label: "Actors & tokens", roles: STAFF, Component: ActorsPage },
  { path: "/usage", label: "Usage", roles: STAFF, Component: UsagePage },
  { path: "/my-keys", label: "My keys", roles: EVERYONE, Component: MyKeysPage },
  { path: "/latency-test", label: "Latency test", roles: EVERYONE, Component: LatencyTestPage },
  { path: "/audit", label: "Audit log", roles: STAFF, Component: AuditLogPage },
];

function Console() {
  const { me } = useSession();
  const path = useHashPath();
  const pages = PAGES.filter((page) => page.roles.includes(me.role));
  const page = pages.find((entry) => entry.path === path);
  const fallback = pages[0]?.path ?? "/my-keys";

  // An unknown address, or a page this role does not see: the role's first page, without a history entry.
  useEffect(() => {
    if (!page) window.location.replace(`#${fallback}`);
  }, [page, fallback]);

  return (
    <Layout pages={pages} path={path}>
      {page ? <page.Component key={page.path} /> : null}
    </Layout>
  );
}

export function App() {
  return (
    <SessionGate
      signIn={(submit, notice) => <SignInPage submit={submit} notice={notice} />}
      checking={
        <div className="checking" role="status">
          Checking your session…
        </div>
      }
    >
      <Console />
    </SessionGate>
  );
}
