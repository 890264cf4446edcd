import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

/**
 * Live data comes from the coordinator's change stream (useLiveChanges); polling is the fallback for
 * what the stream cannot say: a stream that is down, or a change another replica stored.
 */
const REFRESH_MS = 10_000;

const queryClient = new QueryClient({
  defaultOptions: { queries: { refetchInterval: REFRESH_MS, retry: false, staleTime: 1000 } },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
