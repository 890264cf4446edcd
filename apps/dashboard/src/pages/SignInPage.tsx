import { useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { api } from '../api.ts';
import { returnPath } from '../return-path.ts';

/** The operator token goes to the coordinator once, in a POST body; the page keeps only the HttpOnly session cookie it sets. */
export function SignInPage() {
  const [, navigate] = useLocation();
  const next = returnPath(new URLSearchParams(useSearch()).get('next'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem('token') as HTMLInputElement;
    setBusy(true);
    setError(null);
    try {
      await api.signIn(input.value.trim());
      input.value = '';
      navigate(next);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Godwit fleet</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">Operator token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} required aria-describedby="token-help" />
        <p id="token-help" className="hint">
          The token from <code>coordinator tenant create</code> or <code>coordinator token create</code>. It is exchanged for a session cookie and not kept by the page.
        </p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
