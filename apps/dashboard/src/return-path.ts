/** The sign-in page for someone who was on `current` (a path with its query): they come back to it after. */
export function signInPath(current: string): string {
  return current === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(current)}`;
}

/**
 * Where signing in leads: the `next` the sign-in URL names when it is a path of this app, and the
 * fleet otherwise. Never another origin (`//host`, `/\host`), never the sign-in page itself.
 */
export function returnPath(next: string | null): string {
  if (next === null || next.length > 2048 || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\u007f]/.test(next) || next === '/sign-in' || next.startsWith('/sign-in?')) return '/';
  return next;
}
