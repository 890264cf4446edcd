export interface ErrorLogOptions {
  write(line: string): void;
  /** Lines written in full per window; the rest are counted. */
  burst: number;
  windowMs: number;
  now?: () => number;
}

/**
 * The service's error lines, bounded: a device with valid credentials can make the coordinator
 * refuse something every few seconds (a poison report it keeps resending, a flood of publishes on
 * topics it may not use), and a thousand such devices must not fill the disk or bury the line
 * that matters. The first `burst` lines of each window go out whole; the rest are counted and
 * summed up in one line when the next line arrives after the window (the counters in /metrics
 * hold every one).
 */
export function boundedErrorLog(options: ErrorLogOptions): { line(text: string): void; flush(): void } {
  const now = options.now ?? (() => performance.now());
  let windowStart = now();
  let written = 0;
  let suppressed = 0;
  const flush = () => {
    if (suppressed > 0) options.write(`${suppressed} more error line(s) suppressed in ${Math.round(options.windowMs / 1000)} s (the counters at /metrics have them all)`);
    suppressed = 0;
  };
  return {
    line(text) {
      if (now() - windowStart >= options.windowMs) {
        flush();
        windowStart = now();
        written = 0;
      }
      if (written < options.burst) {
        written += 1;
        options.write(text);
      } else {
        suppressed += 1;
      }
    },
    flush,
  };
}
