/** How long to wait before reconnect attempt `attempt` (0 for the first after a loss). */
export interface Backoff {
  baseMs: number;
  capMs: number;
}

/**
 * Exponential backoff with full jitter (a uniform draw between 0 and min(cap, base * 2^attempt)):
 * a fleet that lost its broker at the same moment comes back spread out instead of in waves.
 */
export function reconnectDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
