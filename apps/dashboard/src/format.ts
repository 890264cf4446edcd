/** Revision ids are shown in full (they are at most 64 characters); null is a database at base or a device that never reported. */
export const revisionText = (revision: string | null) => revision ?? 'none';

// One formatter for every cell: toLocaleString builds a new one per call, which costs a table of 50 rows tens of milliseconds.
const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function timeText(value: string | number | null): string {
  if (value === null) return 'never';
  return TIME.format(new Date(value));
}

/** Bytes as people read them: 512 B, 40.0 KiB, 3.2 MiB. */
export function bytesText(bytes: number | null): string {
  if (bytes === null) return 'not measured';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

/** Who a rollout targets: a share of its channel, or the devices its label selectors match. */
export const reachText = (rollout: { percent: number | null; selectors: Record<string, string> | null }) =>
  rollout.percent === null ? `devices labelled ${labelsText(rollout.selectors ?? {})}` : `${rollout.percent}% of the channel`;
