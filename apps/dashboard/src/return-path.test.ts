import { describe, expect, it } from 'vitest';
import { returnPath, signInPath } from './return-path.ts';

describe('the way back after signing in', () => {
  it('names the page left, and the fleet needs no name', () => {
    expect(signInPath('/')).toBe('/sign-in');
    expect(signInPath('/devices/a b?x=1')).toBe('/sign-in?next=%2Fdevices%2Fa%20b%3Fx%3D1');
    expect(returnPath(new URLSearchParams(signInPath('/devices/a b?x=1').split('?')[1]).get('next'))).toBe('/devices/a b?x=1');
  });

  it('goes to the fleet for anything that is not a path of this app', () => {
    for (const next of [null, '', 'https://example.com', '//example.com', '/\\example.com', 'javascript:alert(1)', '/sign-in', '/sign-in?next=%2F', '/a\nb', `/${'a'.repeat(2048)}`]) {
      expect(returnPath(next), String(next)).toBe('/');
    }
    expect(returnPath('/rollouts/r1')).toBe('/rollouts/r1');
  });
});
