import { basename } from 'node:path';
import { describeRevision, GraphError } from './errors.js';
import { REVISION_ID_PATTERN } from './revision.js';

/** What the graph needs of a revision: loaded files and manifest revisions both have it. */
export interface GraphInput {
  id: string;
  parents: readonly string[];
  /** Named in error messages when given. */
  file?: string;
}

export interface GraphNode {
  id: string;
  parents: string[];
  /** Revisions that name this one as a parent, in canonical order. */
  children: string[];
  file?: string;
}

/** A valid revision graph: unique well-formed ids, every parent present, no cycle. Possibly several heads. */
export interface RevisionGraph {
  /**
   * Every revision in canonical order: Kahn's algorithm, always taking the ready revision (all
   * parents placed) with the smallest id in code-unit order. Parents come first, file names and
   * timestamps play no part, and adding revisions never reorders the existing ones among themselves
   * (a new revision only becomes ready after its parents).
   */
  order(): string[];
  has(id: string): boolean;
  node(id: string): GraphNode;
  /** Revisions no other revision names as parent, in canonical order; `[]` for an empty graph. */
  heads(): string[];
  /** The one head; `multiple-heads` (listing them and how to merge) or `no-revisions` otherwise. */
  requireSingleHead(): string;
  /** Every revision `id` depends on, directly or not, excluding itself, in canonical order. */
  ancestors(id: string): string[];
  /** An exact id, or the one id starting with a prefix of at least 4 characters. */
  resolveId(ref: string): string;
  /**
   * The heads a database should end at for `target`: `head` (all heads), `base` (`[]`), an id or
   * unique prefix, `+N` / `-N` (N revisions more / fewer than `currentHeads`, along the canonical order).
   */
  resolveTarget(target: string, currentHeads: readonly string[]): string[];
  /** Revisions to apply to go from `currentHeads` to `targetHeads`, in canonical order; each once. */
  pendingUp(currentHeads: readonly string[], targetHeads: readonly string[]): string[];
  /** Revisions to revert to go from `currentHeads` down to `targetHeads`, in reverse canonical order. */
  pendingDown(currentHeads: readonly string[], targetHeads: readonly string[]): string[];
  /** The heads of a database that has applied exactly `applied`, in canonical order. */
  headsAfter(applied: Iterable<string>): string[];
}

/** Checks the revisions and builds their graph; throws `GraphError` naming the ids and files at fault. */
export function createGraph(revisions: readonly GraphInput[]): RevisionGraph {
  const nodes = indexNodes(revisions);
  const order = canonicalOrder(nodes);
  const position = new Map(order.map((id, i) => [id, i]));
  for (const node of nodes.values()) node.children.sort((a, b) => position.get(a)! - position.get(b)!);
  const byOrder = (ids: Iterable<string>) => [...ids].sort((a, b) => position.get(a)! - position.get(b)!);

  const known = (id: string, role: string): string => {
    if (!nodes.has(id)) throw new GraphError('unknown-revision', `${role} ${id} is not a known revision`, [id]);
    return id;
  };
  /** The ids and all their ancestors. */
  const closure = (ids: Iterable<string>, role: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [...ids].map((id) => known(id, role));
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...nodes.get(id)!.parents);
    }
    return seen;
  };
  const headsAfter = (applied: Iterable<string>): string[] => {
    const set = new Set([...applied].map((id) => known(id, 'applied revision')));
    return byOrder([...set].filter((id) => !nodes.get(id)!.children.some((child) => set.has(child))));
  };
  const heads = headsAfter(order);

  const resolveId = (ref: string): string => {
    if (nodes.has(ref)) return ref;
    if (ref.length < 4) {
      throw new GraphError('unknown-target', `no revision "${ref}" (a prefix needs at least 4 characters)`, [ref]);
    }
    const candidates = order.filter((id) => id.startsWith(ref));
    if (candidates.length === 0) throw new GraphError('unknown-target', `no revision "${ref}"`, [ref]);
    if (candidates.length > 1) {
      throw new GraphError(
        'ambiguous-target',
        `"${ref}" matches ${candidates.length} revisions: ${candidates.map((id) => describeRevision(id, nodes.get(id)!.file)).join(', ')}`,
        candidates,
        files(nodes, candidates),
      );
    }
    return candidates[0]!;
  };

  const relative = (target: string, sign: string, steps: number, currentHeads: readonly string[]): string[] => {
    const applied = closure(currentHeads, 'current revision');
    if (sign === '+') {
      // Any prefix of the pending revisions in canonical order is closed under parents.
      const pending = order.filter((id) => !applied.has(id));
      if (steps > pending.length) {
        throw new GraphError('out-of-range', `${target} goes past the head: ${pending.length} revision(s) are left to apply`);
      }
      return headsAfter([...applied, ...pending.slice(0, steps)]);
    }
    const appliedInOrder = order.filter((id) => applied.has(id));
    if (steps > appliedInOrder.length) {
      throw new GraphError('out-of-range', `${target} goes below the base: only ${appliedInOrder.length} revision(s) are applied`);
    }
    return headsAfter(appliedInOrder.slice(0, appliedInOrder.length - steps));
  };

  return {
    order: () => [...order],
    has: (id) => nodes.has(id),
    node: (id) => {
      const node = nodes.get(known(id, 'revision'))!;
      return { ...node, parents: [...node.parents], children: [...node.children] };
    },
    heads: () => [...heads],
    requireSingleHead: () => {
      if (heads.length === 0) throw new GraphError('no-revisions', 'there are no revisions yet: write one with mbundle revision -m "..."');
      if (heads.length > 1) {
        throw new GraphError(
          'multiple-heads',
          `${heads.length} heads: ${heads.map((id) => describeRevision(id, nodes.get(id)!.file)).join(', ')}; ` +
            'join them with: mbundle merge -m "merge heads"',
          heads,
          files(nodes, heads),
        );
      }
      return heads[0]!;
    },
    ancestors: (id) => {
      const all = closure([id], 'revision');
      all.delete(id);
      return byOrder(all);
    },
    resolveId,
    resolveTarget: (target, currentHeads) => {
      if (target === 'head') return [...heads];
      if (target === 'base') return [];
      const match = /^([+-])(\d+)$/.exec(target);
      if (match) return relative(target, match[1]!, Number(match[2]), currentHeads);
      return [resolveId(target)];
    },
    pendingUp: (currentHeads, targetHeads) => {
      const applied = closure(currentHeads, 'current revision');
      const wanted = closure(targetHeads, 'target revision');
      return order.filter((id) => wanted.has(id) && !applied.has(id));
    },
    pendingDown: (currentHeads, targetHeads) => {
      const kept = closure(targetHeads, 'target revision');
      const applied = closure(currentHeads, 'current revision');
      return order.filter((id) => applied.has(id) && !kept.has(id)).reverse();
    },
    headsAfter,
  };
}

function indexNodes(revisions: readonly GraphInput[]): Map<string, GraphNode> {
  const nodes = new Map<string, GraphNode>();
  for (const { id, parents, file } of revisions) {
    if (typeof id !== 'string' || !REVISION_ID_PATTERN.test(id)) {
      throw new GraphError(
        'bad-id',
        `${file ? `${basename(file)}: ` : ''}revision id ${JSON.stringify(id)} is malformed: an id is 4 to 64 characters of [0-9a-z_]`,
        [String(id)],
        file ? [file] : [],
      );
    }
    const existing = nodes.get(id);
    if (existing) {
      throw new GraphError(
        'duplicate-id',
        `revision id ${id} is used twice: ${[existing.file, file].map((f) => describeRevision(id, f)).join(' and ')}`,
        [id],
        [existing.file, file].filter((f): f is string => f !== undefined),
      );
    }
    const node: GraphNode = { id, parents: [...parents], children: [] };
    if (file !== undefined) node.file = file;
    nodes.set(id, node);
  }
  for (const node of nodes.values()) {
    const parents = new Set<string>();
    for (const parent of node.parents) {
      if (parents.has(parent)) {
        throw new GraphError('duplicate-parent', `revision ${describeRevision(node.id, node.file)} names parent ${parent} twice`, [node.id], files(nodes, [node.id]));
      }
      parents.add(parent);
      const parentNode = nodes.get(parent);
      if (!parentNode) {
        throw new GraphError(
          'missing-parent',
          `revision ${describeRevision(node.id, node.file)} names parent ${parent}, which no revision has`,
          [node.id, parent],
          files(nodes, [node.id]),
        );
      }
      parentNode.children.push(node.id);
    }
  }
  return nodes;
}

function canonicalOrder(nodes: Map<string, GraphNode>): string[] {
  const waiting = new Map([...nodes.values()].map((node) => [node.id, node.parents.length]));
  // Kept sorted descending so that the smallest id pops off the end.
  const ready = [...waiting].filter(([, count]) => count === 0).map(([id]) => id);
  ready.sort(descending);
  const order: string[] = [];
  for (let id = ready.pop(); id !== undefined; id = ready.pop()) {
    order.push(id);
    for (const child of nodes.get(id)!.children) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) ready.splice(insertionPoint(ready, child), 0, child);
    }
  }
  if (order.length < nodes.size) {
    const cycle = findCycle(nodes, new Set(order));
    throw new GraphError(
      'cycle',
      `revisions form a cycle (each names the next as its parent): ${cycle.map((id) => describeRevision(id, nodes.get(id)!.file)).join(' -> ')}`,
      cycle,
      files(nodes, cycle),
    );
  }
  return order;
}

/** A cycle among the revisions Kahn's algorithm could not place: each has an unplaced parent, so walking parents must repeat. */
function findCycle(nodes: Map<string, GraphNode>, placed: Set<string>): string[] {
  const path: string[] = [];
  const onPath = new Map<string, number>();
  let id = [...nodes.keys()].find((candidate) => !placed.has(candidate))!;
  while (!onPath.has(id)) {
    onPath.set(id, path.length);
    path.push(id);
    id = nodes.get(id)!.parents.find((parent) => !placed.has(parent))!;
  }
  // Ends where it started, so that the message shows the loop closing.
  return [...path.slice(onPath.get(id)!), id];
}

function insertionPoint(descendingIds: string[], id: string): number {
  let low = 0;
  let high = descendingIds.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (descendingIds[mid]! > id) low = mid + 1;
    else high = mid;
  }
  return low;
}

function descending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function files(nodes: Map<string, GraphNode>, ids: readonly string[]): string[] {
  return ids.map((id) => nodes.get(id)?.file).filter((f): f is string => f !== undefined);
}
