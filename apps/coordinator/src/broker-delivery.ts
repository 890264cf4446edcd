import { createHash, randomUUID } from 'node:crypto';
import { PROTOCOL_VERSION } from '@godwit/fleet-protocol';
import type { MqttService } from './mqtt/index.js';
import { noDelivery, type RolloutDelivery, type RolloutStateChanged, type TargetsAdded } from './rollouts/delivery.js';
import type { BundleStore } from './store/bundles.js';

/**
 * Rollouts reaching devices through the broker: each target's bundle, retained on its own topic.
 * A device drops bytes it has handled before (every reconnect delivers the retained bundle again),
 * so the devices an operator retried also get a `retry` command naming the bundle, after it.
 */
export function brokerDelivery(mqtt: MqttService, bundles: BundleStore): RolloutDelivery {
  const handOut = async (tenantId: string, bundleId: string, deviceIds: string[], retried: string[]) => {
    const bytes = await bundles.bytes(tenantId, bundleId);
    await mqtt.deliver({ tenantId, deviceIds, bytes });
    if (retried.length === 0) return;
    const bundle = createHash('sha256').update(bytes).digest('hex');
    await mqtt.command({ tenantId, deviceIds: retried, message: { v: PROTOCOL_VERSION, command: 'retry', id: randomUUID(), bundle } });
  };
  return {
    async targetsAdded({ tenantId, bundleId, deviceIds, retry }: TargetsAdded) {
      await handOut(tenantId, bundleId, deviceIds, retry ? deviceIds : []);
    },
    // A paused rollout reaches no device that has not fetched its bundle yet; resuming hands it out again.
    async stateChanged({ tenantId, bundleId, state, pendingDeviceIds, retriedDeviceIds }: RolloutStateChanged) {
      if (pendingDeviceIds.length === 0) return;
      if (state === 'paused') await mqtt.withdraw({ tenantId, deviceIds: pendingDeviceIds });
      else await handOut(tenantId, bundleId, pendingDeviceIds, retriedDeviceIds);
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
