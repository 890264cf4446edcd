import type { SchemaChange } from '@godwit/migration-bundle';
import { describe, expect, it } from 'vitest';
import { onlyKnownDrift } from './preflight.js';

const change = (kind: SchemaChange['kind'], object: SchemaChange['object'], name: string, detail = ''): SchemaChange => ({ kind, object, name, detail });

describe('forced drift validation', () => {
  it('accepts the differences that were there before the change, whatever their detail now', () => {
    expect(onlyKnownDrift([change('added', 'column', 'orders.note', 'TEXT')], [change('added', 'column', 'orders.note', 'text')])).toBe(true);
    expect(onlyKnownDrift([], [change('removed', 'index', 'orders_by_customer')])).toBe(true);
  });

  it('refuses a difference the change introduced', () => {
    expect(onlyKnownDrift([change('removed', 'trigger', 'orders_touch')], [change('added', 'column', 'orders.note')])).toBe(false);
  });
});
