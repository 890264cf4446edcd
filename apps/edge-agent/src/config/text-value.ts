/**
 * What makes a string unusable as a path or a config value, or null. A NUL byte ends a path at
 * the system call and a lone surrogate has no UTF-8 form: either would name another file than
 * the one written, so both are refused up front.
 */
export function textProblem(value: string): string | null {
  if (value.includes('\0')) return 'a NUL byte';
  if (/\p{Cs}/u.test(value)) return 'a lone surrogate (not valid Unicode)';
  return null;
}
