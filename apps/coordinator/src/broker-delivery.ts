import type { MqttService } from './mqtt/index.js';
import { noDelivery, type RolloutDelivery, type RolloutStateChanged, type TargetsAdded } from './rollouts/delivery.js';
import type { BundleStore } from './store/bundles.js';

/** Rollouts reaching devices through the broker: each target's bundle, retained on its own topic. */
export function brokerDelivery(mqtt: MqttService, bundles: BundleStore): RolloutDelivery {
  return {
    async targetsAdded({ tenantId, bundleId, deviceIds }: TargetsAdded) {
      await mqtt.deliver({ tenantId, deviceIds, bytes: await bundles.bytes(tenantId, bundleId) });
    },
    // A paused rollout reaches no device that has not fetched its bundle yet; resuming hands it out again.
    async stateChanged({ tenantId, bundleId, state, pendingDeviceIds }: RolloutStateChanged) {
      if (pendingDeviceIds.length === 0) return;
      if (state === 'paused') await mqtt.withdraw({ tenantId, deviceIds: pendingDeviceIds });
      else await mqtt.deliver({ tenantId, deviceIds: pendingDeviceIds, bytes: await bundles.bytes(tenantId, bundleId) });
    },
  };
}

/**
 * Where the store's rollouts send deliveries. The store and the broker need each other (the broker
 * authenticates devices and stores their reports; rollouts deliver through the broker), so the
 * store is opened with this link and the broker is plugged into it once it runs. Until then nothing
 * can be delivered, and nothing asks to: neither the HTTP API nor a device is reachable yet.
 */
export class DeliveryLink implements RolloutDelivery {
  #target: RolloutDelivery = noDelivery;

  connect(target: RolloutDelivery): void {
    this.#target = target;
  }

  targetsAdded(event: TargetsAdded): Promise<void> | void {
    return this.#target.targetsAdded(event);
  }

  stateChanged(event: RolloutStateChanged): Promise<void> | void {
    return this.#target.stateChanged(event);
  }
}
