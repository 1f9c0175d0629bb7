// Who is signed in: loads GET /users/me when tokens are stored, follows sign-in / sign-out in
// this and other tabs (storage events), and notes when a session ended by itself.

import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { getMe } from "./api/endpoints";
import { loadSession, onSessionChange } from "./api/session";
import type { User } from "./api/types";

export type AuthStatus = "loading" | "signedOut" | "signedIn" | "failed";

interface AuthState {
  status: AuthStatus;
  user: User | null;
  error: unknown;
  /** True when the last session ended without the user signing out (refresh token refused). */
  expired: boolean;
  reload: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>(loadSession() ? "loading" : "signedOut");
  const [user, setUser] = useState<User | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [expired, setExpired] = useState(false);

  const reload = useCallback(() => {
    if (!loadSession()) {
      setUser(null);
      setStatus("signedOut");
      return;
    }
    setStatus((s) => (s === "signedIn" ? s : "loading"));
    getMe().then(
      (me) => {
        setUser(me);
        setError(null);
        setExpired(false);
        setStatus("signedIn");
      },
      (e) => {
        if (!loadSession()) {
          setUser(null);
          setStatus("signedOut");
        } else {
          setError(e);
          setStatus("failed");
        }
      },
    );
  }, []);

  useEffect(() => {
    reload();
    let wasSignedIn = !!loadSession();
    const off = onSessionChange((signedIn, ended) => {
      if (signedIn && !wasSignedIn) reload();
      if (!signedIn) {
        setUser(null);
        setExpired(ended);
        setStatus("signedOut");
      }
      wasSignedIn = signedIn;
    });
    const onStorage = (e: StorageEvent) => {
      if (e.key !== null && !e.key.startsWith("botfactory.dashboard.session")) return;
      const now = !!loadSession();
      if (now !== wasSignedIn) {
        wasSignedIn = now;
        if (now) reload();
        else { setUser(null); setStatus("signedOut"); }
      }
    };
    window.addEventListener("storage", onStorage);
    return () => { off(); window.removeEventListener("storage", onStorage); };
  }, [reload]);

  return (
    <AuthContext.Provider value={{ status, user, error, expired, reload }}>
      {children}
    </AuthContext.Provider>
  );
}

/** The sign-in state (inside AuthProvider). */
export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}
