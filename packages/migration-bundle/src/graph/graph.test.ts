import { describe, expect, it } from 'vitest';
import { GraphError } from './errors.js';
import { createGraph, type GraphInput } from './graph.js';

function graphError(fn: () => unknown): GraphError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphError);
    return error as GraphError;
  }
  throw new Error('expected a GraphError');
}

/** Every permutation-ish reordering we care about: as given, reversed, and rotated. */
function shuffles<T>(items: T[]): T[][] {
  return [items, [...items].reverse(), ...items.map((_, i) => [...items.slice(i), ...items.slice(0, i)])];
}

// base → a1 → a2 ─┐
//    └──→ b1 ─────┴→ merge ; ids chosen so that id order disagrees with the branch order
const branches: GraphInput[] = [
  { id: 'zz_base', parents: [], file: '/m/1_base.ts' },
  { id: 'yy_a1', parents: ['zz_base'], file: '/m/2_a1.ts' },
  { id: 'aa_a2', parents: ['yy_a1'], file: '/m/3_a2.ts' },
  { id: 'mm_b1', parents: ['zz_base'], file: '/m/4_b1.ts' },
  { id: 'bb_merge', parents: ['aa_a2', 'mm_b1'], file: '/m/5_merge.ts' },
];

describe('createGraph', () => {
  it('orders parents first, by Kahn’s algorithm taking the smallest ready id, whatever the input order', () => {
    for (const input of shuffles(branches)) {
      expect(createGraph(input).order()).toEqual(['zz_base', 'mm_b1', 'yy_a1', 'aa_a2', 'bb_merge']);
    }
  });

  it('keeps the order of existing revisions when revisions are added, even on a new branch', () => {
    const before = createGraph(branches).order();
    const after = createGraph([
      ...branches,
      { id: 'aaaa_side', parents: ['zz_base'] },
      { id: 'cc_merge2', parents: ['bb_merge', 'aaaa_side'] },
    ]).order();
    expect(after.filter((id) => before.includes(id))).toEqual(before);
  });

  it('finds heads, children, ancestors', () => {
    const graph = createGraph(branches.slice(0, 4));
    expect(graph.heads()).toEqual(['mm_b1', 'aa_a2']);
    expect(graph.node('zz_base').children).toEqual(['mm_b1', 'yy_a1']);
    expect(graph.ancestors('aa_a2')).toEqual(['zz_base', 'yy_a1']);
    expect(createGraph(branches).ancestors('bb_merge')).toEqual(['zz_base', 'mm_b1', 'yy_a1', 'aa_a2']);
    expect(createGraph(branches).requireSingleHead()).toBe('bb_merge');
  });

  it('refuses several heads only where one is required, listing them and how to merge', () => {
    const graph = createGraph(branches.slice(0, 4));
    const error = graphError(() => graph.requireSingleHead());
    expect(error.code).toBe('multiple-heads');
    expect(error.ids).toEqual(['mm_b1', 'aa_a2']);
    expect(error.files).toEqual(['/m/4_b1.ts', '/m/3_a2.ts']);
    expect(error.message).toContain('mm_b1 (4_b1.ts)');
    expect(error.message).toContain('aa_a2 (3_a2.ts)');
    expect(error.message).toContain('mbundle merge -m');
  });

  it('refuses an empty graph where a head is required', () => {
    const graph = createGraph([]);
    expect(graph.order()).toEqual([]);
    expect(graph.heads()).toEqual([]);
    expect(graphError(() => graph.requireSingleHead()).code).toBe('no-revisions');
  });

  it('refuses malformed ids, naming the file', () => {
    for (const id of ['abc', 'ABCD', 'a-bcd', 'x'.repeat(65), '']) {
      const error = graphError(() => createGraph([{ id, parents: [], file: '/m/bad.ts' }]));
      expect(error.code).toBe('bad-id');
      expect(error.message).toContain('bad.ts');
      expect(error.message).toContain(JSON.stringify(id));
    }
  });

  it('refuses duplicate ids, naming both files', () => {
    const error = graphError(() =>
      createGraph([
        { id: 'abcd', parents: [], file: '/m/one.ts' },
        { id: 'abcd', parents: [], file: '/m/two.js' },
      ]),
    );
    expect(error.code).toBe('duplicate-id');
    expect(error.files).toEqual(['/m/one.ts', '/m/two.js']);
    expect(error.message).toContain('one.ts');
    expect(error.message).toContain('two.js');
  });

  it('refuses missing parents, naming the revision, its file and the parent', () => {
    const error = graphError(() => createGraph([{ id: 'abcd', parents: ['nope'], file: '/m/abcd.ts' }]));
    expect(error.code).toBe('missing-parent');
    expect(error.ids).toEqual(['abcd', 'nope']);
    expect(error.message).toContain('abcd (abcd.ts)');
    expect(error.message).toContain('nope');
  });

  it('refuses a parent named twice', () => {
    const error = graphError(() => createGraph([{ id: 'base', parents: [] }, { id: 'abcd', parents: ['base', 'base'] }]));
    expect(error.code).toBe('duplicate-parent');
  });

  it('refuses cycles, naming every revision in the loop', () => {
    const error = graphError(() =>
      createGraph([
        { id: 'base', parents: [] },
        { id: 'aaaa', parents: ['base', 'cccc'], file: '/m/a.ts' },
        { id: 'bbbb', parents: ['aaaa'], file: '/m/b.ts' },
        { id: 'cccc', parents: ['bbbb'], file: '/m/c.ts' },
        { id: 'dddd', parents: ['cccc'] },
      ]),
    );
    expect(error.code).toBe('cycle');
    expect(new Set(error.ids)).toEqual(new Set(['aaaa', 'bbbb', 'cccc']));
    expect(error.ids[0]).toBe(error.ids.at(-1));
    expect(error.message).toMatch(/a\.ts.*->.*->.*->/);
    expect(graphError(() => createGraph([{ id: 'self', parents: ['self'] }])).code).toBe('cycle');
  });
});

describe('pendingUp / pendingDown across a merge', () => {
  it('applies every revision of both branches exactly once, parents first, whatever the file names', () => {
    for (const input of shuffles(branches)) {
      const graph = createGraph(input);
      const pending = graph.pendingUp([], ['bb_merge']);
      expect([...pending].sort()).toEqual(branches.map((r) => r.id).sort());
      for (const revision of branches) {
        for (const parent of revision.parents) expect(pending.indexOf(parent)).toBeLessThan(pending.indexOf(revision.id));
      }
    }
  });

  it('applies only what is missing from a database on one branch', () => {
    const graph = createGraph(branches);
    expect(graph.pendingUp(['aa_a2'], ['bb_merge'])).toEqual(['mm_b1', 'bb_merge']);
    expect(graph.pendingUp(['aa_a2', 'mm_b1'], graph.heads())).toEqual(['bb_merge']);
    expect(graph.pendingUp(['bb_merge'], ['bb_merge'])).toEqual([]);
  });

  it('reverts in reverse canonical order, children first', () => {
    const graph = createGraph(branches);
    expect(graph.pendingDown(['bb_merge'], [])).toEqual(['bb_merge', 'aa_a2', 'yy_a1', 'mm_b1', 'zz_base']);
    expect(graph.pendingDown(['bb_merge'], ['aa_a2'])).toEqual(['bb_merge', 'mm_b1']);
    expect(graph.pendingDown(['aa_a2'], ['bb_merge'])).toEqual([]);
  });

  it('refuses a current revision the graph does not hold', () => {
    const error = graphError(() => createGraph(branches).pendingUp(['gone'], ['bb_merge']));
    expect(error.code).toBe('unknown-revision');
    expect(error.message).toContain('gone');
  });

  it('computes the heads after a set of applied revisions', () => {
    const graph = createGraph(branches);
    expect(graph.headsAfter(['zz_base', 'yy_a1', 'mm_b1'])).toEqual(['mm_b1', 'yy_a1']);
    expect(graph.headsAfter([])).toEqual([]);
  });
});

describe('resolveTarget', () => {
  const graph = createGraph([
    ...branches,
    { id: 'abcdef01', parents: ['bb_merge'] },
    { id: 'abcdef02', parents: ['abcdef01'] },
  ]);

  it('resolves head and base', () => {
    expect(graph.resolveTarget('head', [])).toEqual(['abcdef02']);
    expect(createGraph(branches.slice(0, 4)).resolveTarget('head', [])).toEqual(['mm_b1', 'aa_a2']);
    expect(graph.resolveTarget('base', ['abcdef02'])).toEqual([]);
  });

  it('resolves an id and a unique prefix of at least 4 characters', () => {
    expect(graph.resolveTarget('mm_b1', [])).toEqual(['mm_b1']);
    expect(graph.resolveTarget('abcdef01', [])).toEqual(['abcdef01']);
    expect(graph.resolveTarget('bb_m', [])).toEqual(['bb_merge']);
  });

  it('refuses an ambiguous prefix, listing the candidates', () => {
    const error = graphError(() => graph.resolveTarget('abcdef', []));
    expect(error.code).toBe('ambiguous-target');
    expect(error.ids).toEqual(['abcdef01', 'abcdef02']);
    expect(error.message).toContain('abcdef01');
    expect(error.message).toContain('abcdef02');
  });

  it('refuses unknown targets and prefixes shorter than 4 characters', () => {
    expect(graphError(() => graph.resolveTarget('nothing', [])).code).toBe('unknown-target');
    const short = graphError(() => graph.resolveTarget('abc', []));
    expect(short.code).toBe('unknown-target');
    expect(short.message).toContain('at least 4 characters');
  });

  it('moves +N / -N along the canonical order from the current heads', () => {
    expect(graph.resolveTarget('+1', [])).toEqual(['zz_base']);
    expect(graph.resolveTarget('+2', [])).toEqual(['mm_b1']);
    expect(graph.resolveTarget('+3', [])).toEqual(['mm_b1', 'yy_a1']);
    expect(graph.resolveTarget('+2', ['yy_a1'])).toEqual(['mm_b1', 'aa_a2']);
    expect(graph.resolveTarget('+1', ['aa_a2', 'mm_b1'])).toEqual(['bb_merge']);
    expect(graph.resolveTarget('-1', ['abcdef02'])).toEqual(['abcdef01']);
    expect(graph.resolveTarget('-3', ['abcdef02'])).toEqual(['mm_b1', 'aa_a2']);
    expect(graph.resolveTarget('-4', ['abcdef02'])).toEqual(['mm_b1', 'yy_a1']);
    expect(graph.resolveTarget('-7', ['abcdef02'])).toEqual([]);
    expect(graph.resolveTarget('+0', ['yy_a1'])).toEqual(['yy_a1']);
  });

  it('refuses +N / -N that leave the graph', () => {
    const up = graphError(() => graph.resolveTarget('+2', ['abcdef01']));
    expect(up.code).toBe('out-of-range');
    expect(up.message).toContain('1 revision(s) are left');
    expect(graphError(() => graph.resolveTarget('-2', ['zz_base'])).code).toBe('out-of-range');
  });
});
