import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

/** Live data: every query polls, so a device's report shows within a few seconds without a reload. */
const REFRESH_MS = 2000;

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
