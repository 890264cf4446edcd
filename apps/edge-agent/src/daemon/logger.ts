/** What a log line may carry besides its event name. */
export type LogFields = Record<string, string | number | boolean | null | undefined | string[]>;

export type LogFormat = 'text' | 'json';

export interface Logger {
  /** One line per event: `applied from=a to=b …`, or with --log json one object `{"time","event",…}`. */
  (event: string, fields?: LogFields): void;
}

/**
 * Lines for journald (which adds its own timestamps to text lines): the event name first, then
 * `key=value` pairs, values quoted when they hold spaces. Event names are stable (docs/edge-agent.md).
 */
export function createLogger(format: LogFormat, out: { write(line: string): unknown } = process.stdout): Logger {
  return (event, fields = {}) => {
    const present = Object.entries(fields).filter(([, value]) => value !== undefined);
    if (format === 'json') {
      out.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...Object.fromEntries(present) })}\n`);
      return;
    }
    const pairs = present.map(([key, value]) => `${key}=${textValue(value)}`);
    out.write(`${[event, ...pairs].join(' ')}\n`);
  };
}

function textValue(value: string | number | boolean | null | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : String(value);
  // One line per event, always: JSON.stringify escapes the newlines of a multi-line error.
  return /[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text;
}
