import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KILLS_WANTED, killRepeatedly, prepareCrashScenario, type CrashSetup } from '../apps/edge-agent/test-support/crash-scenario.js';

let setup: CrashSetup;
beforeAll(async () => {
  setup = await prepareCrashScenario('wal');
}, 300_000);
afterAll(() => setup?.ws.cleanup());

describe('SIGKILL during a 200,000-row rebuild (WAL mode)', () => {
  it('leaves the old or the target revision, intact, at 22+ moments; a second upgrade completes', async () => {
    const outcomes = await killRepeatedly(setup);
    console.info(`kills: ${outcomes.filter((o) => o.killed).length}, left at old revision: ${outcomes.filter((o) => o.revision === 'shop_0001').length}, at target: ${outcomes.filter((o) => o.revision === 'shop_0004').length}`);
    expect(outcomes.filter((o) => o.killed).length).toBeGreaterThanOrEqual(KILLS_WANTED);
    expect(outcomes.some((o) => o.killed && o.revision === 'shop_0001')).toBe(true);
  }, 600_000);
});
