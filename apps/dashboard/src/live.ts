import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';

/**
 * While signed in, listens to `GET /v1/live` (server-sent events, same origin, the session cookie)
 * and refetches the queries on screen at each `change`: a device's report shows within about two
 * seconds without a reload. EventSource reconnects by itself when the stream drops.
 */
export function useLiveChanges(enabled: boolean): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/v1/live');
    source.addEventListener('change', () => void queryClient.invalidateQueries());
    return () => source.close();
  }, [enabled, queryClient]);
}
