import { createHash, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleRefused, verifyBundleBytes, type LoadedBundle } from '../bundle/load-bundle.js';
import { AgentError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

/** What became of a message on the device's retained `bundle` topic. */
export type Delivery =
  | { kind: 'empty' }
  /** The same bytes as one already handled (every reconnect delivers the retained message again). */
  | { kind: 'duplicate'; sha256: string }
  /** Not newer than what the database has: never applied, never a downgrade. */
  | { kind: 'stale'; sha256: string; sequence: number }
  | { kind: 'refused'; sha256: string; error: AgentError }
  /** Verified and on disk in the bundles folder, ready to apply. */
  | { kind: 'accepted'; sha256: string; bundle: LoadedBundle };

export interface InboxContext {
  /** The bundles folder: where an accepted bundle is written before it is applied. */
  dir: string;
  keys: KeyObject[];
  maxBytes: number;
  seen(sha256: string): boolean;
  /** The bundle the database was last migrated by. */
  applied: { sequence: number | null; bundleId: string | null };
}

/**
 * Verifies a delivered bundle before anything is written: a bad one is refused and never lands in
 * the folder (so it cannot shadow a good one); a good one is written atomically, under a name of
 * its own (`mqtt-<sequence>-<sha256 prefix>.mbundle`), so that a crash mid-apply resumes it from
 * disk at the next start.
 */
export function receiveBundle(payload: Buffer, context: InboxContext): Delivery {
  if (payload.byteLength === 0) return { kind: 'empty' };
  const sha256 = createHash('sha256').update(payload).digest('hex');
  if (context.seen(sha256)) return { kind: 'duplicate', sha256 };
  const source = `received over MQTT (sha256 ${sha256.slice(0, 12)})`;
  if (payload.byteLength > context.maxBytes) {
    return { kind: 'refused', sha256, error: bundleRefused(source, 'too-large', `${payload.byteLength} bytes, more than the ${context.maxBytes} accepted`) };
  }
  let bundle: LoadedBundle;
  try {
    bundle = verifyBundleBytes(source, payload, context.keys);
  } catch (error) {
    if (error instanceof AgentError) return { kind: 'refused', sha256, error };
    throw error;
  }
  const { sequence, bundleId } = bundle.manifest;
  const applied = context.applied;
  if (applied.sequence !== null && (sequence < applied.sequence || (sequence === applied.sequence && bundleId === applied.bundleId))) {
    return { kind: 'stale', sha256, sequence };
  }
  const path = join(context.dir, `mqtt-${sequence}-${sha256.slice(0, 12)}.mbundle`);
  if (!existsSync(path)) writeFileAtomic(path, payload);
  return { kind: 'accepted', sha256, bundle: { ...bundle, path } };
}
