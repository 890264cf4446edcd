import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, Redirect, Route, Switch, useLocation, useSearch } from 'wouter';
import { api, SIGNED_OUT_EVENT } from './api.ts';
import { useLiveChanges } from './live.ts';
import { AuditPage } from './pages/AuditPage.tsx';
import { BundlesPage } from './pages/BundlesPage.tsx';
import { DevicePage } from './pages/DevicePage.tsx';
import { FleetPage } from './pages/FleetPage.tsx';
import { RolloutPage } from './pages/RolloutPage.tsx';
import { RolloutsPage } from './pages/RolloutsPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { signInPath } from './return-path.ts';

export function App() {
  const [location, navigate] = useLocation();
  const search = useSearch();
  const queryClient = useQueryClient();

  // A session that ended under the page (expired, its token revoked) comes back here after signing in.
  useEffect(() => {
    const signedOut = () => {
      queryClient.clear();
      navigate(signInPath(search === '' ? location : `${location}?${search}`));
    };
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, [navigate, queryClient, location, search]);

  useLiveChanges(location !== '/sign-in');

  if (location === '/sign-in') return <SignInPage />;

  const signOut = async () => {
    await api.signOut();
    queryClient.clear();
    navigate('/sign-in');
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Godwit fleet</span>
        <nav aria-label="Main">
          <Link href="/">Fleet</Link>
          <Link href="/rollouts">Rollouts</Link>
          <Link href="/bundles">Bundles</Link>
          <Link href="/audit">Audit</Link>
        </nav>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main">
        <Switch>
          <Route path="/" component={FleetPage} />
          <Route path="/devices/:id">{(params) => <DevicePage id={params.id} />}</Route>
          <Route path="/rollouts" component={RolloutsPage} />
          <Route path="/rollouts/:id">{(params) => <RolloutPage id={params.id} />}</Route>
          <Route path="/bundles" component={BundlesPage} />
          <Route path="/audit" component={AuditPage} />
          <Route>
            <Redirect to="/" />
          </Route>
        </Switch>
      </main>
    </>
  );
}
