import { describe, expect, it } from 'vitest';
import { newTargets, rankDevices, targetCount } from './selection.js';
import { passesFailureThreshold } from './threshold.js';

const devices = Array.from({ length: 10 }, (_, i) => ({ id: `dev-${i}`, labels: { site: i % 2 ? 'north' : 'south' } }));

describe('rollout selection', () => {
  it('covers ceil(percent) of the channel', () => {
    expect([targetCount(40, 10), targetCount(70, 10), targetCount(1, 10), targetCount(100, 7), targetCount(0, 10)]).toEqual([4, 7, 1, 7, 0]);
  });

  it('ranks by rollout and device only, so widening keeps earlier devices', () => {
    const first = newTargets('r1', { percent: 40 }, devices, new Set());
    const more = newTargets('r1', { percent: 70 }, devices, new Set(first));
    expect(first).toHaveLength(4);
    expect(more).toHaveLength(3);
    expect(rankDevices('r1', devices.map((d) => d.id)).slice(0, 7)).toEqual([...first, ...more]);
    // Another rollout picks its own devices.
    expect(newTargets('r2', { percent: 40 }, devices, new Set())).not.toEqual(first);
  });

  it('matches every selector', () => {
    expect(newTargets('r', { selectors: { site: 'north' } }, devices, new Set(['dev-1']))).toEqual(['dev-3', 'dev-5', 'dev-7', 'dev-9']);
  });

  it('pauses at more than the threshold of at least the minimum attempts', () => {
    const rule = { failureThresholdPercent: 5, minAttempts: 20 };
    expect(passesFailureThreshold({ ...rule, successes: 18, failures: 2 })).toBe(true);
    expect(passesFailureThreshold({ ...rule, successes: 19, failures: 1 })).toBe(false);
    expect(passesFailureThreshold({ ...rule, successes: 0, failures: 19 })).toBe(false);
  });
});
