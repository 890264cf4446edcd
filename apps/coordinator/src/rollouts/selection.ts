import { createHash } from 'node:crypto';

/**
 * Which devices a rollout reaches. Devices are ranked by a hash of rollout id and device id, and a
 * percentage takes the best-ranked ones; a device's rank never changes, so widening only adds.
 */
export function rankDevices(rolloutId: string, deviceIds: readonly string[]): string[] {
  const rank = new Map(deviceIds.map((id) => [id, createHash('sha256').update(`${rolloutId}\0${id}`).digest('hex')]));
  return [...deviceIds].sort((a, b) => (rank.get(a)! < rank.get(b)! ? -1 : rank.get(a)! > rank.get(b)! ? 1 : 0));
}

/** How many of `total` devices `percent` covers, rounded up so that a small canary reaches someone. */
export function targetCount(percent: number, total: number): number {
  // The epsilon keeps 70% of 10 at 7 when the float product lands a hair above it.
  return Math.min(total, Math.max(0, Math.ceil((percent * total) / 100 - 1e-9)));
}

export function matchesSelectors(labels: Readonly<Record<string, string>>, selectors: Readonly<Record<string, string>>): boolean {
  return Object.entries(selectors).every(([key, value]) => labels[key] === value);
}

export interface Candidate {
  id: string;
  labels: Record<string, string>;
}

export type Targeting = { percent: number } | { selectors: Record<string, string> };

/** The devices to add to a rollout's targets: never removes one already targeted. */
export function newTargets(rolloutId: string, targeting: Targeting, channelDevices: readonly Candidate[], existing: ReadonlySet<string>): string[] {
  if ('selectors' in targeting) {
    return channelDevices.filter((d) => !existing.has(d.id) && matchesSelectors(d.labels, targeting.selectors)).map((d) => d.id);
  }
  const wanted = targetCount(targeting.percent, channelDevices.length);
  const missing = Math.max(0, wanted - existing.size);
  return rankDevices(rolloutId, channelDevices.map((d) => d.id))
    .filter((id) => !existing.has(id))
    .slice(0, missing);
}
