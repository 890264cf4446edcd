import { describe, expect, it } from 'vitest';
import { boundedErrorLog } from './error-log.js';

describe('boundedErrorLog', () => {
  it('writes a burst per window whole, counts the rest and says how many when the window ends or on flush', () => {
    let clock = 0;
    const lines: string[] = [];
    const log = boundedErrorLog({ write: (line) => lines.push(line), burst: 3, windowMs: 60_000, now: () => clock });
    for (let i = 0; i < 1000; i++) log.line(`quarantined device ${i}`);
    expect(lines).toEqual(['quarantined device 0', 'quarantined device 1', 'quarantined device 2']);

    clock = 60_000;
    log.line('store unreachable');
    expect(lines.slice(3)).toEqual(['997 more error line(s) suppressed in 60 s (the counters at /metrics have them all)', 'store unreachable']);

    log.line('a');
    log.line('b');
    log.flush();
    expect(lines.slice(5)).toEqual(['a', 'b']);
    log.line('c');
    log.flush();
    expect(lines.slice(7)).toEqual(['1 more error line(s) suppressed in 60 s (the counters at /metrics have them all)']);
  });
});
