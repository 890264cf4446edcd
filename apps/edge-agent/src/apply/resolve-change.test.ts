import type { Manifest } from '@godwit/migration-bundle';
import { describe, expect, it } from 'vitest';
import { EMPTY_STATE, type AgentState } from '../state/agent-state.js';
import { resolveChange } from './resolve-change.js';

const revision = (id: string, parents: string[], reversible = true) => ({ id, parents, message: id, up: [], down: reversible ? [] : null });
const manifest = {
  revisions: [revision('aaaa', []), revision('bbbb', ['aaaa'], false), revision('cccc', ['bbbb'])],
} as unknown as Manifest;
const at = (...heads: string[]): AgentState => ({ ...EMPTY_STATE, heads, checksums: new Map() });

describe('resolving what to apply', () => {
  it('lists pending revisions up to the target, in order, with the heads after them', () => {
    const change = resolveChange(manifest, 'b', at('aaaa'), 'up', 'head');
    expect(change.revisionIds).toEqual(['bbbb', 'cccc']);
    expect(change.toHeads).toEqual(['cccc']);
    expect(change.steps.map((s) => s.direction)).toEqual(['up', 'up']);
    expect(resolveChange(manifest, 'b', at(), 'up', '+1').revisionIds).toEqual(['aaaa']);
    expect(resolveChange(manifest, 'b', at('cccc'), 'up', 'head').revisionIds).toEqual([]);
  });

  it('reverts in reverse order and refuses to pass a revision without down', () => {
    expect(resolveChange(manifest, 'b', at('cccc'), 'down', '-1').revisionIds).toEqual(['cccc']);
    expect(() => resolveChange(manifest, 'b', at('cccc'), 'down', 'base')).toThrow(expect.objectContaining({ code: 'irreversible', message: expect.stringContaining('bbbb') }));
  });

  it('sends the wrong direction and unknown targets back as usage errors, and unknown recorded heads as a refusal', () => {
    expect(() => resolveChange(manifest, 'b', at('cccc'), 'up', 'aaaa')).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringContaining('downgrade') }));
    expect(() => resolveChange(manifest, 'b', at('aaaa'), 'down', 'cccc')).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringContaining('upgrade') }));
    expect(() => resolveChange(manifest, 'b', at(), 'up', 'zzzz')).toThrow(expect.objectContaining({ code: 'usage' }));
    expect(() => resolveChange(manifest, 'b', at('dddd'), 'up', 'head')).toThrow(expect.objectContaining({ code: 'unknown-revision' }));
  });
});
