import type { coordinator } from '@godwit/schema';

export interface TargetsAdded {
  tenantId: string;
  rolloutId: string;
  bundleId: string;
  channel: string;
  deviceIds: string[];
  /** An operator's retry: the devices may have handled these bytes already, and are told to take them again. */
  retry?: boolean;
}

export interface RolloutStateChanged {
  tenantId: string;
  rolloutId: string;
  bundleId: string;
  state: coordinator.RolloutState;
  reason: string | null;
  /** Targets that have not reported a result yet and no rollout of a newer bundle targets: withdrawn on pause, delivered again on resume. */
  pendingDeviceIds: string[];
  /** Those of them an operator retried: on resume they are told to take bytes they may have handled already. */
  retriedDeviceIds: string[];
}

/**
 * How rollouts reach devices: the MQTT side implements it (retained QoS 1 messages). Called after
 * the change has committed, so a delivered bundle is always one the store knows is targeted.
 */
export interface RolloutDelivery {
  targetsAdded(event: TargetsAdded): Promise<void> | void;
  stateChanged(event: RolloutStateChanged): Promise<void> | void;
}

export const noDelivery: RolloutDelivery = {
  targetsAdded() {},
  stateChanged() {},
};
