import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get, onSessionLost, post, setCsrfToken, type Me } from './api';

interface SessionValue {
  me: Me | null;
  loading: boolean;
  /** Reloads /api/v1/me (after sign-in, or a change to my profile or org). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  const refresh = useCallback(async () => {
    try {
      const current = await get<Me>('/api/v1/me');
      setCsrfToken(current.csrfToken);
      setMe(current);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      setCsrfToken(null);
      setMe(null);
    } finally {
      setLoading(false);
    }
  }, []);

  const signOut = useCallback(async () => {
    await post('/api/v1/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    setMe(null);
  }, []);

  useEffect(() => {
    onSessionLost(() => setMe(null));
    void refresh();
  }, [refresh]);

  return <SessionContext.Provider value={{ me, loading, refresh, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user (only inside the signed-in part of the app). */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe while signed out');
  return me;
}
