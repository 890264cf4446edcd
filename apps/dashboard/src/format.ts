/** Revision ids are shown in full (they are at most 64 characters); null is a database at base or a device that never reported. */
export const revisionText = (revision: string | null) => revision ?? 'none';

export function timeText(value: string | number | null): string {
  if (value === null) return 'never';
  return new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

/** Who a rollout targets: a share of its channel, or the devices its label selectors match. */
export const reachText = (rollout: { percent: number | null; selectors: Record<string, string> | null }) =>
  rollout.percent === null ? `devices labelled ${labelsText(rollout.selectors ?? {})}` : `${rollout.percent}% of the channel`;
