export const DEFAULT_FAILURE_THRESHOLD_PERCENT = 5;
export const DEFAULT_MIN_ATTEMPTS = 20;

export interface RolloutCounts {
  successes: number;
  failures: number;
  failureThresholdPercent: number;
  minAttempts: number;
}

/** The abort rule (as AWS IoT Jobs' abort config): more than the threshold of at least `minAttempts` results failed. */
export function passesFailureThreshold(c: RolloutCounts): boolean {
  const attempts = c.successes + c.failures;
  return attempts >= c.minAttempts && c.failures * 100 > c.failureThresholdPercent * attempts;
}
