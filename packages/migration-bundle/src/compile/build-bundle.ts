import type { KeyObject } from 'node:crypto';
import { createBundle, type CreatedBundle } from '../bundle/create.js';
import { loadRevisionGraph } from '../graph/load.js';
import { planChain } from './plan-chain.js';

export interface BuildOptions {
  dir: string;
  keys: KeyObject[];
  sequence?: number;
  /** Milliseconds since the epoch, or null for no expiry. */
  expiresAt?: number | null;
}

/** `mbundle build`: load the folder, check the graph has one head, plan, encode and sign. */
export async function buildBundle(options: BuildOptions): Promise<CreatedBundle> {
  const { graph, revisions } = await loadRevisionGraph(options.dir);
  graph.requireSingleHead();
  return createBundle({
    revisions: planChain(revisions, graph),
    keys: options.keys,
    ...(options.sequence !== undefined ? { sequence: options.sequence } : {}),
    expiresAt: options.expiresAt ?? null,
  });
}
