import type { FleetTotals } from '../store/fleet-totals.js';
import type { MetricsRegistry } from './metrics-registry.js';

/** Devices by revision and rollout progress, read from the store on every scrape. */
export function registerFleetMetrics(registry: MetricsRegistry, totals: FleetTotals): void {
  const devices = registry.gauge('godwit_devices', 'Registered devices by tenant and reported revision');
  const targets = registry.gauge('godwit_rollout_targets', 'Devices a rollout has reached');
  const results = registry.gauge('godwit_rollout_results', 'Rollout targets that reported, by result');
  const active = registry.gauge('godwit_rollout_active', '1 while a rollout is active, 0 while paused');
  registry.collect(async () => {
    devices.reset();
    for (const r of await totals.devicesByRevision()) devices.set({ tenant: r.tenant, revision: r.revision }, r.devices);
    targets.reset();
    results.reset();
    active.reset();
    for (const r of await totals.rolloutProgress()) {
      const labels = { tenant: r.tenant, rollout: r.rollout };
      targets.set(labels, r.targets);
      results.set({ ...labels, result: 'succeeded' }, r.succeeded);
      results.set({ ...labels, result: 'failed' }, r.failed);
      active.set(labels, r.state === 'active' ? 1 : 0);
    }
  });
}
