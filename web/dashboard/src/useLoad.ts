import { useCallback, useEffect, useRef, useState } from "react";

/**
 * Runs `load()` on mount and whenever `deps` change; `reload()` runs it again. The result of a
 * superseded run is dropped. Returns {data, error, loading, reload, setData}.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const run = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const loader = useCallback(load, deps);
  const reload = useCallback(() => {
    const id = ++run.current;
    setLoading(true);
    loader().then(
      (d) => { if (id === run.current) { setData(d); setError(null); setLoading(false); } },
      (e) => { if (id === run.current) { setError(e); setLoading(false); } },
    );
  }, [loader]);
  useEffect(() => { reload(); }, [reload]);
  return { data, error, loading, reload, setData };
}
