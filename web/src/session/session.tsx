import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiError, messageOf } from "../api/api-error.js";
import { type ApiClient, call, createApiClient } from "../api/client.js";
import type { Me } from "../api/types.js";
import { forgetToken, storedToken, storeToken } from "./token-storage.js";

export interface Session {
  me: Me;
  api: ApiClient;
  /** Admin tokens change things; readonly and user tokens see no enabled editing controls. */
  canWrite: boolean;
  signOut(notice?: string): void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in session");
  return session;
}

type State =
  | { phase: "checking"; token: string }
  | { phase: "signed-out"; notice?: string }
  | { phase: "signed-in"; token: string; me: Me };

async function whoAmI(token: string): Promise<Me> {
  return (await call(token, "GET", "/admin/api/me")).json() as Promise<Me>;
}

export const NOT_ACCEPTED = "The token was not accepted.";

/** Why a token did not sign in, as the alert shows it. */
export function signInFailure(error: unknown): string {
  if (error instanceof ApiError && error.status === 401)
    return `${NOT_ACCEPTED} The gateway said: ${error.message}.`;
  return messageOf(error);
}

export interface SessionGateProps {
  signIn: (submit: (token: string) => Promise<void>, notice: string | undefined) => ReactNode;
  checking: ReactNode;
  children: ReactNode;
}

/** Shows the sign-in until a token is accepted by `GET /admin/api/me`, then the console with the session. */
export function SessionGate({ signIn, checking, children }: SessionGateProps) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>(() => {
    const token = storedToken();
    return token ? { phase: "checking", token } : { phase: "signed-out" };
  });

  const signOut = useCallback(
    (notice?: string) => {
      forgetToken();
      queryClient.clear();
      setState(notice === undefined ? { phase: "signed-out" } : { phase: "signed-out", notice });
    },
    [queryClient],
  );

  // A reload keeps the tab's token: check it is still good before showing anything it would unlock.
  useEffect(() => {
    if (state.phase !== "checking") return;
    let current = true;
    whoAmI(state.token).then(
      (me) => current && setState({ phase: "signed-in", token: state.token, me }),
      (error: unknown) => current && signOut(signInFailure(error)),
    );
    return () => {
      current = false;
    };
  }, [state, signOut]);

  const submit = useCallback(async (token: string) => {
    const me = await whoAmI(token);
    storeToken(token);
    setState({ phase: "signed-in", token, me });
  }, []);

  const session = useMemo<Session | null>(() => {
    if (state.phase !== "signed-in") return null;
    const api = createApiClient(state.token, () =>
      signOut("Your session ended: the token is no longer accepted. Sign in again."),
    );
    return { me: state.me, api, canWrite: state.me.role === "admin", signOut };
  }, [state, signOut]);

  if (state.phase === "checking") return checking;
  if (!session) return signIn(submit, state.phase === "signed-out" ? state.notice : undefined);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
