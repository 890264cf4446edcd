import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from '../errors.js';
import { loadBundle, type LoadedBundle } from './load-bundle.js';

export interface BundleScan {
  newest: LoadedBundle | null;
  /** Files that were refused, with why: reported, never applied. */
  refused: { path: string; error: AgentError }[];
}

/** Verifies every file in the bundles folder and picks the valid one with the highest sequence. */
export function newestValidBundle(dir: string, trust: readonly string[]): BundleScan {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    throw new AgentError('failed', `cannot read the bundles folder ${dir} (${(error as NodeJS.ErrnoException).code}); check "bundles" in the config`);
  }
  const scan: BundleScan = { newest: null, refused: [] };
  for (const name of names) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    try {
      const bundle = loadBundle(path, trust);
      if (scan.newest === null || bundle.manifest.sequence > scan.newest.manifest.sequence) scan.newest = bundle;
    } catch (error) {
      if (!(error instanceof AgentError) || error.code !== 'bundle-refused') throw error;
      scan.refused.push({ path, error });
    }
  }
  return scan;
}
