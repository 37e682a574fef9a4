import { createContext, useCallback, useContext, useEffect, useState } from 'react';

import type { Input, OperationName, Output } from '../../../main/api/contract';
import { ApiFailure, type ApiClient } from './client';

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

export function messageOf(err: unknown): string {
  return err instanceof ApiFailure ? err.message : 'something went wrong; try again';
}

export interface Query<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Calls an operation when its input changes and keeps the latest reply. */
export function useQuery<N extends OperationName>(
  name: N,
  input: Input<N> | null,
): Query<Output<N>> {
  const api = useApi();
  const key = input === null ? null : JSON.stringify(input);
  // The reply is kept with the input it answers: a reply to other input is never shown as this one's.
  const [state, setState] = useState<{
    data?: Output<N>;
    for?: string;
    error: string | null;
    loading: boolean;
  }>({ error: null, loading: key !== null });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (key === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api.call(name, JSON.parse(key) as Input<N>).then(
      (data) => live && setState({ data, for: key, error: null, loading: false }),
      (err: unknown) => live && setState((s) => ({ ...s, error: messageOf(err), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [api, name, key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const data = state.for === key ? state.data : undefined;
  return { data, error: state.error, loading: state.loading, reload };
}
